// A local stand-in for Binance spot's public REST API (the two endpoints ccxt's binance uses
// for markets and candles), answering from candles the test gives it, on 127.0.0.1 at a free
// port. The CLI reaches it with `--exchange binance --exchange-url <origin>`.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `[open time ms, open, high, low, close, volume]` */
export type MockCandle = [number, number, number, number, number, number];

export interface MockMarket {
  base: string;
  quote: string;
  candles: MockCandle[];
  /** Every klines request for it answers Binance's "Invalid symbol" error (HTTP 400). */
  broken?: boolean;
  /** Its first `rateLimited` klines requests answer HTTP 429 (Retry-After: 0). */
  rateLimited?: number;
}

export interface MockExchange {
  origin: string;
  markets: Map<string, MockMarket>;
  /** Every request's path and query, in order. */
  requests: URL[];
  /** Klines requests that were answered with candles, per market id. */
  klinePages(id: string): URL[];
  close(): Promise<void>;
}

const json = (body: unknown) => JSON.stringify(body);

function exchangeInfo(markets: Map<string, MockMarket>) {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [],
    symbols: [...markets].map(([id, m]) => ({
      symbol: id,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'MARKET'],
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      permissions: ['SPOT'],
      permissionSets: [['SPOT']],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '1000000.00000000', tickSize: '0.00000001' },
        { filterType: 'LOT_SIZE', minQty: '0.00100000', maxQty: '100000.00000000', stepSize: '0.00100000' },
      ],
    })),
  };
}

/**
 * Binance's `/api/v3/klines` rules: `limit` (default 500) capped at `pageSize`; with
 * `startTime` the first candles at or after it, else the latest; `endTime` inclusive.
 */
function klines(market: MockMarket, query: URLSearchParams, pageSize: number) {
  const limit = Math.min(Number(query.get('limit') ?? 500), pageSize);
  const start = query.has('startTime') ? Number(query.get('startTime')) : -Infinity;
  const end = query.has('endTime') ? Number(query.get('endTime')) : Infinity;
  const inRange = market.candles.filter((c) => c[0] >= start && c[0] <= end);
  const page = query.has('startTime') ? inRange.slice(0, limit) : inRange.slice(-limit);
  return page.map(([t, o, h, l, c, v]) => [t, String(o), String(h), String(l), String(c), String(v), t + 59_999, '0', 1, '0', '0', '0']);
}

/** Starts the server; `pageSize` is the most candles one klines answer holds (Binance: 1000). */
export async function startMockExchange(markets: Map<string, MockMarket>, pageSize = 1000): Promise<MockExchange> {
  const requests: URL[] = [];
  const answered = new Map<string, URL[]>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (url.pathname === '/api/v3/exchangeInfo') return send(200, json(exchangeInfo(markets)));
    // ccxt's binance also loads the futures markets by default: none here.
    if (url.pathname === '/fapi/v1/exchangeInfo' || url.pathname === '/dapi/v1/exchangeInfo') return send(200, json({ symbols: [] }));
    if (url.pathname === '/api/v3/klines') {
      const id = url.searchParams.get('symbol') ?? '';
      const market = markets.get(id);
      if (!market || market.broken) return send(400, json({ code: -1121, msg: 'Invalid symbol.' }));
      if ((market.rateLimited ?? 0) > 0) {
        market.rateLimited!--;
        return send(429, json({ code: -1003, msg: 'Too many requests.' }), { 'retry-after': '0' });
      }
      answered.set(id, [...(answered.get(id) ?? []), url]);
      return send(200, json(klines(market, url.searchParams, pageSize)));
    }
    send(404, json({ code: -1, msg: `no route ${url.pathname}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    markets,
    requests,
    klinePages: (id) => answered.get(id) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Candles from shared-data rows (`timestamp,open,high,low,close,volume`) re-timed so the last
 * one opens in the current `stepMs` period (a live exchange's forming candle).
 */
export function candlesEndingNow(rows: readonly string[][], stepMs: number, now = Date.now()): MockCandle[] {
  const last = Math.floor(now / stepMs) * stepMs;
  return rows.map((r, i) => [last - (rows.length - 1 - i) * stepMs, Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])]);
}
