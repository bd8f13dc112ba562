// Stream snapshots (docs/streaming.md, "Snapshot bytes"): a versioned, exact container for a
// stream's canonical state vector, tagged with the packed config (semantics included) and
// protected by a CRC-32, so a truncated, corrupted, newer or foreign snapshot is refused with a
// typed error before anything is restored.
import { PACKED_CONFIG_LENGTH, type ResolvedAtcConfig, packConfig, resolveConfig, unpackConfig } from './config.js';
import { AtcInputError } from './errors.js';
import { streamStateLength } from './stream-layout.js';

const MAGIC = 0x53435441; // 'ATCS' read as a little-endian u32
/** Snapshot format version written by this release; newer ones are refused. */
export const SNAPSHOT_VERSION = 1;
/** Doubles of core's own section (the entry-event tracker of the base state). */
export const SNAPSHOT_TRACKER_LENGTH = 4;
const HEADER_BYTES = 4 + 2 + 2 + 8 + 8 * PACKED_CONFIG_LENGTH + 4 + 4;
const CHECKSUM_BYTES = 8;

/** Everything a snapshot holds. */
export interface SnapshotContents {
  readonly config: ResolvedAtcConfig;
  /** Bars the stream had seen. */
  readonly bars: number;
  /** The canonical state vector of the base (after `bars − 1` bars) plus the last close. */
  readonly state: Float64Array;
  /** Core's entry tracker of the base state. */
  readonly tracker: Float64Array;
}

/** Serialises a stream's state. */
export function encodeSnapshot(contents: SnapshotContents): Uint8Array {
  const { state, tracker } = contents;
  const doubles = state.length + tracker.length;
  const bytes = new Uint8Array(HEADER_BYTES + 8 * doubles + CHECKSUM_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, SNAPSHOT_VERSION, true);
  view.setFloat64(8, contents.bars, true);
  const packed = packConfig(contents.config);
  let at = 16;
  for (const v of packed) {
    view.setFloat64(at, v, true);
    at += 8;
  }
  view.setUint32(at, state.length, true);
  at += 8;
  for (const v of state) {
    view.setFloat64(at, Number.isNaN(v) ? NaN : v, true); // one NaN bit pattern on every backend
    at += 8;
  }
  for (const v of tracker) {
    view.setFloat64(at, v, true);
    at += 8;
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/**
 * Reads and checks a snapshot. `expected`, when given, must be the snapshot's config.
 * @throws AtcInputError `INVALID_SNAPSHOT` or `SNAPSHOT_CONFIG_MISMATCH`; nothing else.
 */
export function decodeSnapshot(bytes: unknown, expected?: ResolvedAtcConfig): SnapshotContents {
  if (!(bytes instanceof Uint8Array)) {
    throw new AtcInputError('INVALID_TYPE', 'snapshot', `must be a Uint8Array (from stream.snapshot()), got ${describe(bytes)}`);
  }
  const refuse = (why: string): never => {
    throw new AtcInputError('INVALID_SNAPSHOT', 'snapshot', why);
  };
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) refuse(`is truncated (${bytes.length} bytes, a snapshot has at least ${HEADER_BYTES + CHECKSUM_BYTES})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) refuse('is not an adaptive-trend stream snapshot (bad magic bytes)');
  const version = view.getUint16(4, true);
  if (version > SNAPSHOT_VERSION) refuse(`has format version ${version}, newer than this release reads (${SNAPSHOT_VERSION}): upgrade @adaptive-trend/core`);
  if (version < 1) refuse(`has an unknown format version ${version}`);
  const stateLength = view.getUint32(HEADER_BYTES - 8, true);
  const expectedBytes = HEADER_BYTES + 8 * (stateLength + SNAPSHOT_TRACKER_LENGTH) + CHECKSUM_BYTES;
  if (bytes.length !== expectedBytes) refuse(`is truncated or padded (${bytes.length} bytes, its header says ${expectedBytes})`);
  const body = expectedBytes - CHECKSUM_BYTES;
  if (view.getUint32(body, true) !== crc32(bytes.subarray(0, body)) || view.getUint32(body + 4, true) !== 0) refuse('is corrupted (checksum mismatch)');
  if (view.getUint16(6, true) !== 0 || view.getUint32(HEADER_BYTES - 4, true) !== 0) refuse('has unknown flags set (reserved header fields must be 0)');
  const bars = view.getFloat64(8, true);
  if (!Number.isSafeInteger(bars) || bars < 0) refuse(`has an invalid bar count ${bars}`);
  const packed = new Float64Array(PACKED_CONFIG_LENGTH);
  for (let i = 0; i < PACKED_CONFIG_LENGTH; i++) packed[i] = view.getFloat64(16 + 8 * i, true);
  let config: ResolvedAtcConfig;
  try {
    config = resolveConfig(unpackConfig(packed));
  } catch (e) {
    return refuse(`holds an invalid config (${e instanceof Error ? e.message : String(e)})`);
  }
  if (stateLength !== streamStateLength(config)) refuse(`holds ${stateLength} state values, its config needs ${streamStateLength(config)}`);
  if (expected !== undefined && !sameConfig(expected, config)) {
    throw new AtcInputError('SNAPSHOT_CONFIG_MISMATCH', 'snapshot', `was taken with another config (${describeDifference(expected, config)})`);
  }
  const state = new Float64Array(stateLength);
  let at = HEADER_BYTES;
  for (let i = 0; i < stateLength; i++, at += 8) state[i] = view.getFloat64(at, true);
  const tracker = new Float64Array(SNAPSHOT_TRACKER_LENGTH);
  for (let i = 0; i < SNAPSHOT_TRACKER_LENGTH; i++, at += 8) tracker[i] = view.getFloat64(at, true);
  return { config, bars, state, tracker };
}

/** Two configs compute the same stream when their packed forms are identical, bit for bit. */
export function sameConfig(a: ResolvedAtcConfig, b: ResolvedAtcConfig): boolean {
  const pa = packConfig(a), pb = packConfig(b);
  return pa.every((v, i) => Object.is(v, pb[i]));
}

function describeDifference(expected: ResolvedAtcConfig, got: ResolvedAtcConfig): string {
  const keys = Object.keys(expected).filter((k) => k !== 'lengths' && k !== 'minimumBars') as (keyof ResolvedAtcConfig)[];
  const diff = keys.filter((k) => !Object.is(expected[k], got[k])).map((k) => `${k}: snapshot ${String(got[k])}, expected ${String(expected[k])}`);
  return diff.join('; ') || 'packed config differs';
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`). */
export function crc32(bytes: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
