import { createRequire } from 'node:module';
import type { CreateAtcOptions } from '@adaptive-trend/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { COMPUTE_FORMATS, type ComputeCommandOptions, computeCommand } from './commands/compute.js';
import { type ReportCommandOptions, reportCommand } from './commands/report.js';
import { SCAN_FORMATS, type ScanCommandOptions, scanCommand } from './commands/scan.js';
import { summaryCommand } from './commands/summary.js';
import { type WatchCommandOptions, watchCommand } from './commands/watch.js';
import { addScanQueueOptions } from './commands/scan-queue.js';
import { addSweepCommand } from './commands/sweep.js';
import { addWorkerCommand } from './commands/worker.js';
import { WATCH_FORMATS } from './watch-output.js';
import { CliError } from './errors.js';
import { type InputOptions, addConfigOptions, addExchangeOptions, addInputOptions } from './options.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The `adaptive-trend` program. Commander's own printing of errors is switched off: a usage
 * error becomes a {@link CliError} with exit code 2, printed as one line by the caller.
 * `setExitCode` receives each command's exit code.
 */
export function buildProgram(defaults: CreateAtcOptions, setExitCode: (code: number) => void): Command {
  const program = new Command('adaptive-trend')
    .description('Adaptive Trend Classification (ATC) on CSV price series, with the fastest installed backend.')
    .version(version, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showSuggestionAfterError(false);

  addConfigOptions(addInputOptions(program))
    .argument('[files...]', 'CSV of prices (close column; - = standard input); without a file: a synthetic sample')
    .summary('last bar of one series')
    .action(async (files: string[], options: InputOptions) => {
      if (files.length > 1) throw new CliError(`expected at most one file, got ${files.length} arguments (see adaptive-trend --help)`, 2);
      setExitCode(await summaryCommand(files[0], options, defaults));
    });

  const compute = program
    .command('compute')
    .description("every bar's 13 outputs (reference names) and entry events, with the input's timestamps (a CSV, or one symbol of an exchange)")
    .argument('[file]', 'CSV of prices, - = standard input (none with --exchange)')
    .addOption(new Option('--format <format>', 'output format').choices(COMPUTE_FORMATS).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option('--entries', 'add the entry events (+1 long, -1 short, 0) as a last column in csv and table (json and ndjson always have them)')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .action(async (file: string | undefined, options: ComputeCommandOptions) => {
      setExitCode(await computeCommand(file, options, defaults));
    });
  addConfigOptions(addInputOptions(addExchangeOptions(compute)));

  const scan = program
    .command('scan')
    .description('every CSV (or every symbol of an exchange) through computeBatch, ranked LONG (signal > min) and SHORT (signal < -min) by the last Average_Signal')
    .argument('[paths...]', 'directories (their *.csv files) and/or CSV files; symbol = file name without extension (none with --exchange)')
    .addOption(new Option('--min-signal <x>', 'smallest |Average_Signal| listed').argParser(nonNegative).default(0.01))
    .addOption(new Option('--top <n>', 'at most n rows per table').argParser(positiveInteger))
    .addOption(new Option('--format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .option('--timings', 'print the time spent reading + parsing and computing on stderr')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      if (paths.length === 0 && !options.exchange) throw new CliError('scan needs directories or CSV files, or --exchange NAME --symbols A,B | --all (see adaptive-trend scan --help)', 2);
      setExitCode(await scanCommand(paths, options, defaults));
    });
  addConfigOptions(addInputOptions(addExchangeOptions(addScanQueueOptions(scan))));
  addWorkerCommand(program, defaults, setExitCode);
  addSweepCommand(program, defaults, setExitCode);

  const report = program
    .command('report')
    .description('one self-contained HTML file (opens offline): candles, the six base-length MAs coloured by their signal, Average_Signal with the thresholds, entry arrows, per-MA tables')
    .argument('<file>', 'CSV of prices, - = standard input')
    .requiredOption('-o, --out <file>', 'the HTML file to write')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .action(async (file: string, options: ReportCommandOptions) => {
      setExitCode(await reportCommand(file, options, defaults));
    });
  addConfigOptions(addInputOptions(report));

  const watch = program
    .command('watch')
    .description(
      "live: ATC one bar at a time on the streaming API, each new bar's signal and every entry event printed as it happens; " +
        'closes from standard input (one number per line, or CSV rows; a row with the last row\'s timestamp re-computes that still-forming bar) or polled from an exchange',
    )
    .argument('[file]', 'CSV rows or one close per line, read as they arrive; - or none = standard input (none with --exchange)')
    .addOption(new Option('--format <format>', 'table: a line per bar and per entry event; ndjson: one JSON object per bar for a bot').choices(WATCH_FORMATS).default('table'))
    .option('--state <file>', 'continue from the streams saved in this file (when it exists) and save them on exit (end of input, Ctrl-C, SIGTERM)')
    .addOption(new Option('--poll <seconds>', 'with --exchange: seconds between two polls for new candles').argParser(positiveNumber).default(10))
    .action(async (file: string | undefined, options: WatchCommandOptions) => {
      setExitCode(await watchCommand(file, options, defaults));
    });
  addConfigOptions(addInputOptions(addExchangeOptions(watch, 'candles of history per symbol before watching (the latest; fetched in pages)')));
  watch.addHelpText(
    'after',
    `
Examples:
  tail -f ticks.csv | adaptive-trend watch --state atc.json
  adaptive-trend watch --exchange binance --symbols BTC/USDT,ETH/USDT --timeframe 15m --format ndjson --state atc.json

--format ndjson prints one object per bar: {timestamp?, time?, symbol?, bar, close, EMA_Signal, …, Average_Signal, entry};
a bar printed again is its forming candle updated. --state saves the streams (stream.snapshot()) on exit and Ctrl-C.`,
  );
  scan.addHelpText('after', `
Examples:
  adaptive-trend scan ./candles --top 10
  adaptive-trend scan --exchange binance --all --quote USDT --timeframe 15m --limit 1500 --format json
  ATC_REDIS_PASSWORD=… adaptive-trend scan ./candles --queue redis://10.0.0.5:6379   (workers: adaptive-trend worker)`);
  compute.addHelpText('after', `
Examples:
  adaptive-trend compute prices.csv --format csv > atc.csv
  adaptive-trend compute --exchange binance --symbols BTC/USDT --timeframe 1h --format ndjson`);
  return program;
}

function nonNegative(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number >= 0.`);
  return n;
}

function positiveNumber(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number > 0.`);
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}

/** A commander usage error as the one line the CLI prints (`unknown option --x`), exit code 2. */
export function usageError(error: CommanderError): CliError {
  const message = error.message.replace(/^error: /, '').replace(/'(--?[a-zA-Z][^']*)'/g, '$1');
  return new CliError(`${message} (see adaptive-trend --help)`, 2);
}

/** Exit code 0 for commander's `--help` and `--version`, else the usage error to throw. */
export function commanderOutcome(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
  throw usageError(error);
}

export { CommanderError };
