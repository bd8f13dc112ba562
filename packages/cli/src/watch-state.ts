// `watch --state FILE`: the streams' snapshots (`stream.snapshot()`, base64) with what the
// snapshot itself does not know — each stream's symbol and last candle time (a restarted
// watch must tell a forming candle's update from a new candle) and the input they came
// from — in one JSON file, written atomically.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CliError, describeReadError } from './errors.js';

/** One stream in a state file. */
export interface SavedStream {
  /** Exchange symbol; `null` for lines from a file or standard input. */
  symbol: string | null;
  /** Open time (Unix ms) of the stream's last bar, when the input has times. */
  lastTime: number | null;
  lastTimestamp: string | null;
  /** The last bar's close (a repeated candle with the same close is not printed again). */
  lastClose: number | null;
  /** `stream.snapshot()` bytes, base64. */
  snapshot: string;
}

/** What `--state FILE` holds. */
export interface WatchState {
  format: 'adaptive-trend-watch-state';
  version: 1;
  /** `lines` or `exchange <id> <timeframe>`: a state is continued only from the same input. */
  input: string;
  source: string;
  streams: SavedStream[];
}

/** The state in `path`, or `undefined` when there is no such file yet (a cold start). */
export function readWatchState(path: string): WatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw describeReadError(path, error);
  }
  let state: WatchState;
  try {
    state = JSON.parse(text) as WatchState;
  } catch {
    throw new CliError(`${path}: not a watch state file (not JSON); delete it for a cold start`);
  }
  if (state?.format !== 'adaptive-trend-watch-state' || state.version !== 1 || !Array.isArray(state.streams)) {
    throw new CliError(`${path}: not a watch state file of this version; delete it for a cold start`);
  }
  return state;
}

/** Writes `state` to `path` through a temporary file and a rename (never a half-written state). */
export function writeWatchState(path: string, state: WatchState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(state)}\n`);
    renameSync(temporary, path);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

export const encodeSnapshot = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const decodeSnapshot = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
