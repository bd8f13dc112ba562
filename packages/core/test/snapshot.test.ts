// The snapshot container (docs/streaming.md, "Snapshot bytes"): exact round trip, and every
// damaged or foreign snapshot refused with a typed error. Backends are not involved.
import { describe, expect, it } from 'vitest';
import { AtcInputError, SNAPSHOT_VERSION, crc32, decodeSnapshot, encodeSnapshot, packConfig, resolveConfig, streamStateLength, unpackConfig } from '../src/index.js';

const config = resolveConfig({ robustness: 'Wide', lambda: 0.05, cutout: 3, semantics: 'pine', strategyMode: true });

function sample() {
  const state = Float64Array.from({ length: streamStateLength(config) }, (_, i) => (i % 7 === 0 ? NaN : i % 5 === 0 ? -0 : i * 1.000001));
  const tracker = Float64Array.of(12, -1, 0.25, NaN);
  return { config, bars: 13, state, tracker };
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof AtcInputError) return e.code;
    throw e;
  }
  return undefined;
}

describe('stream snapshots', () => {
  it('round-trips every bit, signed zeros included', () => {
    const contents = sample();
    const back = decodeSnapshot(encodeSnapshot(contents));
    expect(back.bars).toBe(13);
    expect(Array.from(packConfig(back.config))).toEqual(Array.from(packConfig(config)));
    back.state.forEach((v, i) => expect(Object.is(v, contents.state[i]), `slot ${i}`).toBe(true));
    back.tracker.forEach((v, i) => expect(Object.is(v, contents.tracker[i])).toBe(true));
  });

  it('unpackConfig inverts packConfig', () => {
    const again = resolveConfig(unpackConfig(packConfig(config)));
    expect(Array.from(packConfig(again))).toEqual(Array.from(packConfig(config)));
  });

  it('refuses truncated, corrupted, padded, foreign and newer snapshots', () => {
    const bytes = encodeSnapshot(sample());
    expect(code(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1)))).toBe('INVALID_SNAPSHOT');
    expect(code(() => decodeSnapshot(bytes.subarray(0, 10)))).toBe('INVALID_SNAPSHOT');
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes);
    expect(code(() => decodeSnapshot(padded))).toBe('INVALID_SNAPSHOT');
    for (const at of [0, 9, 40, 200, bytes.length - 20, bytes.length - 3]) {
      const flipped = bytes.slice();
      flipped[at]! ^= 0x10;
      expect(code(() => decodeSnapshot(flipped)), `byte ${at}`).toBe('INVALID_SNAPSHOT');
    }
    // a newer version with a valid checksum
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint16(4, SNAPSHOT_VERSION + 1, true);
    new DataView(newer.buffer).setUint32(newer.length - 8, crc32(newer.subarray(0, newer.length - 8)), true);
    expect(() => decodeSnapshot(newer)).toThrow(/newer/);
    expect(code(() => decodeSnapshot('not bytes'))).toBe('INVALID_TYPE');
  });

  it('refuses a snapshot of another config when one is expected', () => {
    const bytes = encodeSnapshot(sample());
    expect(code(() => decodeSnapshot(bytes, resolveConfig({ robustness: 'Wide', lambda: 0.06, cutout: 3, semantics: 'pine', strategyMode: true })))).toBe('SNAPSHOT_CONFIG_MISMATCH');
    expect(decodeSnapshot(bytes, config).bars).toBe(13);
  });

  it('crc32 is zlib’s', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
