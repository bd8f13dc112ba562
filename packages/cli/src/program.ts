import { createRequire } from 'node:module';
import type { CreateAtcOptions } from '@adaptive-trend/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { COMPUTE_FORMATS, type ComputeCommandOptions, computeCommand } from './commands/compute.js';
import { type ReportCommandOptions, reportCommand } from './commands/report.js';
import { SCAN_FORMATS, type ScanCommandOptions, scanCommand } from './commands/scan.js';
import { summaryCommand } from './commands/summary.js';
import { CliError } from './errors.js';
import { type InputOptions, addConfigOptions, addInputOptions } from './options.js';

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
    .description("every bar's 13 outputs (reference names) and entry events, with the input's timestamps")
    .argument('<file>', 'CSV of prices, - = standard input')
    .addOption(new Option('--format <format>', 'output format').choices(COMPUTE_FORMATS).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option('--entries', 'add the entry events (+1 long, -1 short, 0) as a last column in csv and table (json and ndjson always have them)')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .action(async (file: string, options: ComputeCommandOptions) => {
      setExitCode(await computeCommand(file, options, defaults));
    });
  addConfigOptions(addInputOptions(compute));

  const scan = program
    .command('scan')
    .description('every CSV through computeBatch, ranked LONG (signal > min) and SHORT (signal < -min) by the last Average_Signal')
    .argument('<paths...>', 'directories (their *.csv files) and/or CSV files; symbol = file name without extension')
    .addOption(new Option('--min-signal <x>', 'smallest |Average_Signal| listed').argParser(nonNegative).default(0.01))
    .addOption(new Option('--top <n>', 'at most n rows per table').argParser(positiveInteger))
    .addOption(new Option('--format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .option('--timings', 'print the time spent reading + parsing and computing on stderr')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      setExitCode(await scanCommand(paths, options, defaults));
    });
  addConfigOptions(addInputOptions(scan));

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
  return program;
}

function nonNegative(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number >= 0.`);
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
