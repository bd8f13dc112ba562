import { readFileSync } from 'node:fs';
import { type AtcConfigInput, type BackendChoice, DEFAULT_CONFIG, KNOWN_BACKENDS, ROBUSTNESS, SEMANTICS } from '@adaptive-trend/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { PRICE_SOURCES, type PriceSource } from './candles.js';
import { CliError, describeReadError } from './errors.js';

/** Config keys whose values are one of a fixed list (the rest are numbers or booleans). */
const CHOICES: Readonly<Record<string, readonly string[]>> = { robustness: ROBUSTNESS, semantics: SEMANTICS };

/** `emaLength` → `ema-length`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function parseNumber(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

/**
 * Adds one flag per key of core's {@link DEFAULT_CONFIG} (`--ema-length <n>`, `--robustness
 * <name>`, `--strategy-mode` / `--no-strategy-mode`, …), so a new config key becomes a flag
 * without a second list here; plus `--config file.json`. Core validates the values.
 */
export function addConfigOptions(command: Command): Command {
  for (const [key, value] of Object.entries(DEFAULT_CONFIG)) {
    const flag = flagName(key);
    const about = `config.${key} (default ${String(value)})`;
    if (typeof value === 'boolean') {
      command.option(`--${flag}`, about);
      command.option(`--no-${flag}`, `config.${key} = false`);
    } else if (CHOICES[key]) {
      command.addOption(new Option(`--${flag} <${key}>`, about).choices(CHOICES[key]!));
    } else if (typeof value === 'number') {
      command.addOption(new Option(`--${flag} <n>`, about).argParser(parseNumber));
    } else {
      command.option(`--${flag} <value>`, about);
    }
  }
  command.option('--config <file.json>', 'config keys from a JSON object (flags override it)');
  return command;
}

/** `--source` and `--backend`, shared by every command. */
export function addInputOptions(command: Command): Command {
  return command
    .addOption(new Option('--source <source>', 'price series the indicator runs on').choices(PRICE_SOURCES).default('close'))
    .addOption(new Option('--backend <name>', 'backend (default auto: the fastest installed)').choices(['auto', ...Object.keys(KNOWN_BACKENDS)]));
}

/** Options every command shares, as commander parses them. */
export interface InputOptions {
  source: PriceSource;
  backend?: BackendChoice;
  config?: string;
  [key: string]: unknown;
}

/** The config of a command: `--config` file, then each flag that was given over it. */
export function configFromOptions(options: InputOptions): AtcConfigInput {
  const config: Record<string, unknown> = options.config ? readConfigFile(options.config) : {};
  for (const key of Object.keys(DEFAULT_CONFIG)) {
    if (options[key] !== undefined) config[key] = options[key];
  }
  return config as AtcConfigInput;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw describeReadError(path, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${path}: must hold one JSON object of config keys`);
  return value as Record<string, unknown>;
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}

/**
 * `--exchange NAME --symbols A,B | --all [--quote Q] --timeframe 15m --limit 1500
 * [--exchange-url URL]`: candles from an exchange through ccxt (optional dependency) instead
 * of files.
 */
export function addExchangeOptions(command: Command, limitAbout = 'candles per symbol (the latest; fetched in pages)'): Command {
  return command
    .option('--exchange <name>', 'read candles from this exchange through ccxt (its id: binance, bybit, okx, kraken, …; needs `npm install ccxt`)')
    .option('--symbols <list>', 'with --exchange: comma-separated symbols, e.g. BTC/USDT,ETH/USDT')
    .option('--all', 'with --exchange: every active spot market')
    .option('--quote <asset>', 'with --all: only markets quoted in this asset, e.g. USDT')
    .option('--timeframe <tf>', 'with --exchange: candle timeframe (1m, 15m, 1h, 1d, …)', '15m')
    .addOption(new Option('--limit <n>', `with --exchange: ${limitAbout}`).argParser(parsePositiveInteger).default(1500))
    .option('--exchange-url <url>', "with --exchange: send the exchange's REST requests to this origin instead (a testnet, a proxy, a local mock)");
}
