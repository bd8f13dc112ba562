import type { DistributedScanInput } from '@adaptive-trend/cluster';
import { SWEEP_FORMATS, type SweepFormat } from '@adaptive-trend/cluster/sweep-format';
import type { CreateAtcOptions } from '@adaptive-trend/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { engineFor } from '../engine.js';
import { CliError } from '../errors.js';
import { type InputOptions, addConfigOptions, addInputOptions, configFromOptions } from '../options.js';
import { writeOutput } from '../output.js';
import { progressOnTerminal } from '../progress.js';
import { loadScanInputs } from '../scan-load.js';
import { clusterCall, loadCluster } from './cluster-errors.js';
import { scanInputs } from './scan.js';
import { addQueueOption } from './worker.js';

export interface SweepCommandOptions extends InputOptions {
  grid: string[];
  queue?: string;
  shared?: string;
  format: SweepFormat;
  top: number;
  out?: string;
  closedOnly?: boolean;
  symbolsPerJob: number;
  configsPerJob: number;
  runId?: string;
  threads?: number;
}

/**
 * `adaptive-trend sweep <dir|files…> --grid key=v1,v2 …`: every config of the grid on every
 * series, scored by the documented backtest; on this machine, or with `--queue` by workers
 * (same jobs, same report).
 */
export async function sweepCommand(paths: readonly string[], options: SweepCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  const files = scanInputs(paths);
  if (files.length === 0) throw new CliError(`no CSV files in ${paths.join(', ')}`);
  const grid = await clusterCall(({ parseGrid }) => parseGrid(options.grid));
  const engine = await engineFor(options, defaults);
  const base = configFromOptions(options);
  const config = engine.resolveConfig(base); // a bad base config stops the sweep before any job
  const progress = progressOnTerminal(process.stderr);
  // With --queue --shared DIR the workers read the files (under their --root); else they are read here and sent.
  const inputs: DistributedScanInput[] =
    options.queue && options.shared
      ? files.map((file) => ({ file }))
      : loadScanInputs(files, { source: options.source, closedOnly: options.closedOnly === true, config }, (done) => progress.update('read', done, files.length));
  const { formatSweep } = await loadCluster();
  const report = await clusterCall(({ sweep }) =>
    sweep({
      ...(options.queue ? { queue: options.queue } : { engine }),
      inputs,
      grid,
      options: {
        config: base,
        top: options.top,
        symbolsPerJob: options.symbolsPerJob,
        configsPerJob: options.configsPerJob,
        source: options.source,
        closedOnly: options.closedOnly === true,
        ...(options.shared ? { root: options.shared } : {}),
        ...(options.runId ? { runId: options.runId } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        onProgress: (done, total) => progress.update('sweep', done, total),
      },
    }),
  );
  progress.done();
  writeOutput(formatSweep(report, options.format), options.out);
  if (options.format !== 'json') for (const e of report.errors) console.error(`adaptive-trend: ${e.file}: ${e.message}`);
  return report.errors.length > 0 ? 1 : 0;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || value.trim() === '') throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return n;
}

/** Adds `adaptive-trend sweep`. */
export function addSweepCommand(program: Command, defaults: CreateAtcOptions, setExitCode: (code: number) => void): Command {
  const command = program
    .command('sweep')
    .description("every config of a grid × every CSV, scored by a backtest of the indicator's own signal (sign of Average_Signal shifted one bar): best configs overall and per symbol")
    .argument('<paths...>', 'directories (their *.csv files) and/or CSV files')
    .requiredOption('--grid <key=v1,v2…>', 'a config key and its values (repeat: the grid is every combination), e.g. --grid lambda=0.01,0.02 --grid robustness=Narrow,Wide', (v: string, all: string[] = []) => [...all, v])
    .option('--shared <dir>', 'with --queue: the directory the workers see as their --root; they read the files themselves (else this machine reads them and sends the prices)')
    .addOption(new Option('--top <n>', 'best configs listed').argParser(positiveInteger).default(10))
    .addOption(new Option('--format <format>', 'output format').choices(SWEEP_FORMATS).default('table'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option('--closed-only', 'drop a last candle that is still forming (by its timestamp and the timeframe)')
    .addOption(new Option('--symbols-per-job <n>', 'with --queue: series per job').argParser(positiveInteger).default(50))
    .addOption(new Option('--configs-per-job <n>', 'with --queue: configs per job').argParser(positiveInteger).default(100))
    .option('--run-id <id>', 'with --queue: name of the run (rerunning with the same id reuses the chunks already done)')
    .addOption(new Option('--threads <n>', 'without --queue: threads of each computeBatch (default: all cores)').argParser(positiveInteger))
    .action(async (paths: string[], options: SweepCommandOptions) => {
      setExitCode(await sweepCommand(paths, options, defaults));
    });
  addConfigOptions(addInputOptions(addQueueOption(command, false)));
  command.addHelpText('after', `
Backtest: position over bar t = sign(Average_Signal at bar t-1); equity *= 1 + position * (close_t / close_t-1 - 1), floored at 0;
no costs. Scores: total return, max drawdown, trades (positions opened). Overall = mean over series.

Examples:
  adaptive-trend sweep ./candles --grid lambda=0.01,0.02,0.05 --grid robustness=Narrow,Medium,Wide
  adaptive-trend sweep ./candles --grid decay=0.01,0.03 --queue redis://10.0.0.5:6379 --format csv -o sweep.csv`);
  return command;
}
