// Candles from an exchange through ccxt, an optional dependency: imported only when a command
// gets `--exchange`, so the CLI installs and runs without it. Only the few members used here
// are typed (structurally), so the CLI's types do not depend on ccxt being installed.
import { CliError } from './errors.js';
import type { Candles } from './candles.js';

/** The exchange flags of `scan`, `compute` and `watch`, as commander parses them. */
export interface ExchangeOptions {
  exchange?: string;
  /** Comma-separated unified symbols (`BTC/USDT,ETH/USDT`). */
  symbols?: string;
  all?: boolean;
  quote?: string;
  timeframe: string;
  limit: number;
  exchangeUrl?: string;
}

/** One candle as ccxt gives it: `[time ms, open, high, low, close, volume]`. */
export type Ohlcv = readonly [number, number, number, number, number, number?];

interface CcxtMarket {
  symbol: string;
  quote?: string;
  spot?: boolean;
  active?: boolean | undefined;
}

/** The members of a ccxt exchange this module uses. */
interface CcxtExchange {
  readonly id: string;
  urls: { api?: unknown };
  last_response_headers?: Record<string, string> | undefined;
  loadMarkets(): Promise<Record<string, CcxtMarket>>;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<number[][]>;
  parseTimeframe(timeframe: string): number;
  timeframes?: Record<string, unknown>;
  close?(): Promise<void>;
}

interface CcxtModule {
  exchanges: string[];
  BaseError: new (...args: never[]) => Error;
  NetworkError: new (...args: never[]) => Error;
  [name: string]: unknown;
}

const INSTALL_HINT = '--exchange needs the optional dependency ccxt: run `npm install ccxt` where @adaptive-trend/cli is installed (or `npm install -g ccxt` next to a global install)';

/** ccxt, or a {@link CliError} saying how to install it. */
export async function loadCcxt(): Promise<CcxtModule> {
  try {
    const module = (await import('ccxt' as string)) as { default?: CcxtModule } & CcxtModule;
    return module.default ?? module;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new CliError(INSTALL_HINT);
    throw error;
  }
}

/**
 * Every URL string under `api` with its scheme and host replaced by `origin`, paths kept
 * (`https://api.binance.com/api/v3` → `http://127.0.0.1:8080/api/v3`): `--exchange-url`
 * points all of an exchange's REST endpoints at a testnet, a proxy or a local mock.
 */
export function rebaseApiUrls(api: unknown, origin: string): unknown {
  if (typeof api === 'string') return api.replace(/^[a-z]+:\/\/[^/]+/i, origin);
  if (api && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rebaseApiUrls(v, origin)]));
  return api;
}

/** An exchange's candles with retries, pagination and the markets it lists. */
export class ExchangeFeed {
  readonly name: string;
  readonly timeframe: string;
  /** Milliseconds per candle. */
  readonly timeframeMs: number;
  readonly #exchange: CcxtExchange;
  readonly #ccxt: CcxtModule;
  readonly #retries: number;

  private constructor(ccxt: CcxtModule, exchange: CcxtExchange, timeframe: string, retries: number) {
    this.#ccxt = ccxt;
    this.#exchange = exchange;
    this.name = exchange.id;
    this.timeframe = timeframe;
    this.timeframeMs = exchange.parseTimeframe(timeframe) * 1000;
    this.#retries = retries;
  }

  /** The exchange `options.exchange` names (ccxt's id, e.g. `binance`), ready to fetch. */
  static async open(options: ExchangeOptions, retries = 5): Promise<ExchangeFeed> {
    const ccxt = await loadCcxt();
    const name = options.exchange!.toLowerCase();
    const Exchange = ccxt.exchanges.includes(name) ? (ccxt[name] as new (config: object) => CcxtExchange) : undefined;
    if (!Exchange) throw new CliError(`unknown exchange "${options.exchange}" (ccxt ids, e.g. binance, bybit, okx, kraken, coinbase)`, 2);
    const exchange = new Exchange({ enableRateLimit: true, timeout: 15_000 });
    if (options.exchangeUrl) {
      let origin: string;
      try {
        origin = new URL(options.exchangeUrl).origin;
      } catch {
        throw new CliError(`--exchange-url: "${options.exchangeUrl}" is not a URL`, 2);
      }
      exchange.urls.api = rebaseApiUrls(exchange.urls.api, origin);
    }
    if (exchange.timeframes && !(options.timeframe in exchange.timeframes)) {
      throw new CliError(`${name} has no timeframe "${options.timeframe}" (it has ${Object.keys(exchange.timeframes).join(', ')})`, 2);
    }
    return new ExchangeFeed(ccxt, exchange, options.timeframe, retries);
  }

  /**
   * `fn` again after a network error or a rate-limit answer (ccxt's `NetworkError` family:
   * HTTP 429/418, timeouts, 5xx): waits the server's `Retry-After` when it sent one, else
   * 1 s, 2 s, 4 s… (at most 30 s); anything else, or the last failure, is thrown.
   */
  async #withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof this.#ccxt.NetworkError) || attempt >= this.#retries) throw error;
        const retryAfter = Number(this.#exchange.last_response_headers?.['Retry-After'] ?? NaN);
        const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : Math.min(1000 * 2 ** attempt, 30_000);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** The symbols of `--symbols`, or with `--all` every active spot market (of `--quote`). */
  async symbols(options: ExchangeOptions): Promise<string[]> {
    if (options.symbols) return options.symbols.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const markets = await this.#withRetries(() => this.#exchange.loadMarkets());
    const quote = options.quote?.toUpperCase();
    return Object.values(markets)
      .filter((m) => m.spot !== false && m.active !== false && (quote === undefined || m.quote === quote))
      .map((m) => m.symbol)
      .sort();
  }

  /**
   * Up to `limit` candles of `symbol`, oldest first: from `since` (a candle open time), or the
   * latest `limit` (the last one usually still forming). Fetched in pages, each as large as
   * the exchange answers, forward from the start until `limit` candles, the forming candle,
   * or no newer one.
   */
  async candles(symbol: string, limit: number, since?: number): Promise<Ohlcv[]> {
    const step = this.timeframeMs;
    let from = since ?? Math.floor(Date.now() / step) * step - (limit - 1) * step;
    const out: Ohlcv[] = [];
    while (out.length < limit) {
      const page = await this.#withRetries(() => this.#exchange.fetchOHLCV(symbol, this.timeframe, from, limit - out.length));
      const last = out.length > 0 ? out[out.length - 1]![0] : -Infinity;
      const fresh = page.filter((c) => c[0]! > last && c[0]! >= from) as unknown as Ohlcv[];
      if (fresh.length === 0) break;
      out.push(...fresh.slice(0, limit - out.length));
      const newest = out[out.length - 1]![0];
      if (newest + step > Date.now()) break; // the forming candle: nothing newer yet (saves a request per poll)
      from = newest + 1;
    }
    return out;
  }

  /** Whether `error` is one of ccxt's (an exchange's answer or the network), not a bug. */
  isExchangeError(error: unknown): boolean {
    return error instanceof this.#ccxt.BaseError;
  }

  /** Releases the exchange's connections. */
  async close(): Promise<void> {
    await this.#exchange.close?.();
  }
}

/** Candles of one symbol in the CLI's {@link Candles} shape (`file` = `exchange:symbol`). */
export function candlesFromOhlcv(ohlcv: readonly Ohlcv[], label: string): Candles {
  const column = (k: number) => Float64Array.from(ohlcv, (c) => c[k]!);
  const times = column(0);
  return {
    file: label,
    bars: ohlcv.length,
    timestamps: Array.from(times, (t) => new Date(t).toISOString()),
    times,
    columns: { open: column(1), high: column(2), low: column(3), close: column(4) },
    // No file lines: a message about a candle names its position (1 = the oldest fetched).
    lineOf: (bar) => bar + 1,
  };
}

/**
 * The exchange of a command's `--exchange`, after checking the flags that go with it: no file
 * arguments besides, `--symbols` or `--all` (`single`: exactly one symbol, for `compute`).
 */
export async function openExchange(options: ExchangeOptions, files: readonly string[], single = false): Promise<ExchangeFeed> {
  if (files.length > 0) throw new CliError(`--exchange reads candles from the exchange: give no file (got ${files.join(', ')})`, 2);
  if (options.all && options.symbols) throw new CliError('--symbols and --all exclude each other', 2);
  if (!options.all && !options.symbols) throw new CliError('--exchange needs --symbols A,B or --all', 2);
  if (options.quote && !options.all) throw new CliError('--quote filters --all', 2);
  if (single && (options.all || options.symbols!.split(',').filter((s) => s.trim() !== '').length !== 1)) {
    throw new CliError('compute takes one symbol: --symbols BASE/QUOTE', 2);
  }
  return ExchangeFeed.open(options);
}
