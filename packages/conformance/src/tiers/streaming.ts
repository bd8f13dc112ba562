// Tier s: streaming (docs/streaming.md). After any sequence of push / replaceLast / pushMany /
// snapshot → restore — restored on this backend or on backend-js — every bar's 13 outputs are
// the very doubles of `compute` over the whole series (bar i ↔ column i − cutout for the
// reference, i for Pine; reference bars before the cutout all NaN), from the first bar, for both
// semantics; entry events equal `result.entries()`; snapshots are byte-identical to backend-js's
// (one canonical state); bad input throws a typed AtcInputError and loses nothing.
import { AtcEngine, type AtcBar, type AtcConfigInput, AtcInputError, type AtcStream, OUTPUT_ROWS, STEP_NOT_FINITE, STEP_OK, checkConfigAgainstSeries, resolveConfig } from '@adaptive-trend/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { adversarialSeries, validConfig } from '../arbitraries.js';
import { firstDifference } from '../bits.js';
import type { BackendSource, EngineSource } from '../engine-source.js';
import { findSharedDir, loadCloses } from '../fixtures.js';
import { referenceBackend } from '../reference.js';
import { seededWalk } from '../stream-support.js';

const CONFIGS: readonly AtcConfigInput[] = [
  {},
  { robustness: 'Wide', lambda: 0.3, decay: 0.2, cutout: 57, strategyMode: true, emaLength: 14, hmaLength: 50, kamaLength: 9 },
  { robustness: 'Narrow', lambda: 0.005, decay: 0.01, cutout: 1, longThreshold: 0.05, shortThreshold: -0.05, lsmaLength: 40, wmaWeight: 2.5, hmaLength: 6, demaLength: 5 },
];
const ALL_CONFIGS: readonly AtcConfigInput[] = [
  ...CONFIGS,
  ...CONFIGS.map((c) => ({ ...c, semantics: 'pine' as const })),
  { semantics: 'pine', robustness: 'Narrow', hmaLength: 5, demaLength: 60, cutout: 0, strategyMode: true },
];
const REAL_DATASETS = ['ETH_BTC-5m', 'NXT_BTC-5m', 'nvda-1999-2014', 'UNITTEST_BTC-1m'];

/** The final outputs of every bar of a stream run, bar-major (13 per bar). */
class BarLog {
  readonly values: Float64Array;
  readonly entries: Int8Array;
  constructor(n: number) {
    this.values = new Float64Array(13 * n).fill(-12345);
    this.entries = new Int8Array(n).fill(99);
  }
  record(bar: AtcBar): void {
    this.values.set(bar.values, 13 * bar.index);
    this.entries[bar.index] = bar.entry;
  }
}

/** Every bar of `log` against `compute` over the whole series. */
function requireLikeCompute(label: string, engine: AtcEngine, prices: Float64Array, input: AtcConfigInput, log: BarLog): void {
  const config = resolveConfig(input);
  const n = prices.length;
  const result = engine.compute(prices, config);
  const m = result.length;
  const offset = n - m; // cutout for the reference, 0 for Pine
  const rows = [...Object.values(result.signals), ...Object.values(result.equities), result.averageSignal];
  const entries = result.entries();
  for (let i = 0; i < n; i++) {
    const got = log.values.subarray(13 * i, 13 * i + 13);
    const want = i < offset ? new Float64Array(13).fill(NaN) : Float64Array.from(rows, (row) => row[i - offset]!);
    const d = firstDifference(got, want);
    if (d >= 0) throw new Error(`${label}: bar ${i} output row ${d} is ${show(got[d]!)}, compute gives ${show(want[d]!)}`);
    const entry = i < offset ? 0 : entries[i - offset]!;
    if (log.entries[i] !== entry) throw new Error(`${label}: bar ${i} entry ${log.entries[i]}, result.entries() gives ${entry}`);
  }
}

/** A double as text, −0 included. */
const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/** Bytes equal, or a message naming the first differing byte. */
function requireSameBytes(label: string, a: Uint8Array, b: Uint8Array): void {
  const d = firstDifference(a, b);
  if (d >= 0) throw new Error(`${label}: snapshots differ at byte ${d} of ${a.length}/${b.length}`);
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof AtcInputError) return e.code;
    throw e;
  }
  return 'no error';
}

export function defineStreamingTests(engine: EngineSource, fuzzRuns: number, backend: BackendSource): void {
  const js = () => new AtcEngine(referenceBackend());

  const pushAll = (label: string, prices: Float64Array, input: AtcConfigInput) => {
    const stream = engine().stream(input);
    const log = new BarLog(prices.length);
    for (const close of prices) log.record(stream.push(close));
    expect(stream.length).toBe(prices.length);
    requireLikeCompute(label, engine(), prices, input, log);
    return stream;
  };

  it('push bar by bar equals compute from the first bar, every config, both semantics (smoke walk)', () => {
    const prices = Float64Array.from({ length: 260 }, (_, i) => 100 + 8 * Math.sin(i / 9) + 3 * Math.sin(i / 2.3) + (i % 17 === 0 ? 4 : 0));
    prices.fill(prices[100]!, 100, 112); // a flat run
    ALL_CONFIGS.forEach((config, c) => pushAll(`smoke config ${c}`, prices, config));
  });

  const shared = findSharedDir();
  if (!shared) {
    it.skip('SKIPPED: ../shared not found, streams not run on real data', () => {});
  } else {
    it('real data (crypto 5m/1m, daily equities): pushes, forming-candle replaces and pushMany equal compute', () => {
      for (const dataset of REAL_DATASETS) {
        const prices = loadCloses(shared, dataset).slice(0, 700);
        ALL_CONFIGS.forEach((config, c) => {
          const label = `${dataset} config ${c}`;
          // half by pushMany, then each bar formed by three replaces (the last one the close)
          const stream = engine().stream(config);
          const log = new BarLog(prices.length);
          const half = 350;
          const caught = stream.pushMany(prices.subarray(0, half));
          for (let j = 0; j < caught.length; j++) log.record(caught.bar(j));
          for (let i = half; i < prices.length; i++) {
            stream.push(prices[i - 1]!); // the candle opens at the previous close
            stream.replaceLast(prices[i]! * 1.01);
            log.record(stream.replaceLast(prices[i]!));
          }
          requireLikeCompute(label, engine(), prices, config, log);
          // the same stream on backend-js: byte-identical snapshot
          const other = js().stream(config);
          other.pushMany(prices);
          requireSameBytes(label, stream.snapshot(), other.snapshot());
        });
      }
    });
  }

  it(`random operation sequences with snapshots restored here and on backend-js (${fuzzRuns} cases, both semantics)`, () => {
    const cases = adversarialSeries.chain((prices) =>
      fc.record({
        prices: fc.constant(prices),
        config: validConfig(prices.length),
        pine: fc.boolean(),
        ops: fc.array(fc.record({ kind: fc.constantFrom('push', 'push', 'forming', 'many', 'snapshot', 'snapshotJs'), size: fc.integer({ min: 1, max: 40 }), wobble: fc.double({ min: 0.5, max: 2, noNaN: true }) }), { minLength: 1, maxLength: 60 }),
      }),
    );
    const seed = process.env.ATC_FUZZ_SEED ? Number(process.env.ATC_FUZZ_SEED) : undefined;
    fc.assert(
      fc.property(cases, ({ prices, config: base, pine, ops }) => {
        const config = { ...base, semantics: pine ? ('pine' as const) : ('reference' as const) };
        const resolved = resolveConfig(config);
        checkConfigAgainstSeries(resolved, prices.length);
        const n = prices.length;
        const log = new BarLog(n);
        let stream: AtcStream = engine().stream(config);
        let op = 0;
        while (stream.length < n) {
          const { kind, size, wobble } = ops[op++ % ops.length]!;
          const i = stream.length;
          if (kind === 'push') log.record(stream.push(prices[i]!));
          else if (kind === 'forming') {
            stream.push(prices[i]! * wobble);
            for (let r = 0; r < size % 4; r++) stream.replaceLast(prices[i]! * (1 + r / 100));
            log.record(stream.replaceLast(prices[i]!));
          } else if (kind === 'many') {
            const bars = stream.pushMany(prices.subarray(i, Math.min(n, i + size)));
            for (let j = 0; j < bars.length; j++) log.record(bars.bar(j));
          } else {
            const bytes = stream.snapshot();
            stream = (kind === 'snapshot' ? engine() : js()).restoreStream(bytes, { config });
            requireSameBytes('snapshot of the restored stream', stream.snapshot(), bytes);
            stream = engine().restoreStream(stream.snapshot());
            log.record(stream.push(prices[i]!)); // every op advances a bar (and a restored stream pushes at once)
          }
        }
        requireLikeCompute('random sequence', engine(), prices, config, log);
      }),
      { numRuns: Math.max(20, Math.round(fuzzRuns / 10)), seed, endOnFailure: true }, // no shrinking: each case replays a whole stream
    );
  }, 300_000);

  it('a stream set equals single streams, pushes and replaces alike, and its snapshots restore as single streams', () => {
    const count = 7;
    const series = Array.from({ length: count }, (_, s) => Float64Array.from({ length: 200 }, (_, i) => 50 + s + 5 * Math.sin((i + 3 * s) / (6 + s)) + (i % (11 + s) === 0 ? 2 : 0)));
    for (const config of [{}, { semantics: 'pine' as const, cutout: 20, robustness: 'Wide' as const }]) {
      const set = engine().streams(count, config);
      const logs = series.map(() => new BarLog(200));
      for (let i = 0; i < 200; i++) {
        set.push(series.map((x) => x[i]! * 0.99));
        const step = set.replaceLast(series.map((x) => x[i]!));
        for (let s = 0; s < count; s++) logs[s]!.record(step.bar(s));
      }
      series.forEach((x, s) => requireLikeCompute(`set stream ${s}`, engine(), x, config, logs[s]!));
      const single = js().stream(config);
      single.pushMany(series[3]!);
      requireSameBytes('set stream 3 vs a single js stream', set.snapshot(3), single.snapshot());
      expect(engine().restoreStream(set.snapshot(3)).push(60).values).toEqual(single.push(60).values);
    }
  });

  it('bad input throws a typed AtcInputError and leaves the stream as it was', () => {
    const prices = Float64Array.from({ length: 120 }, (_, i) => 100 + 6 * Math.sin(i / 7));
    const stream = engine().stream({ cutout: 5 });
    expect(codeOf(() => stream.replaceLast(100))).toBe('EMPTY_STREAM');
    stream.pushMany(prices.subarray(0, 100));
    const before = stream.snapshot();
    expect(codeOf(() => stream.push(NaN))).toBe('NON_FINITE_VALUE');
    expect(codeOf(() => stream.push(Infinity))).toBe('NON_FINITE_VALUE');
    expect(codeOf(() => stream.push(0))).toBe('NON_POSITIVE_PRICE');
    expect(codeOf(() => stream.replaceLast(-3))).toBe('NON_POSITIVE_PRICE');
    expect(codeOf(() => stream.push('101' as unknown as number))).toBe('INVALID_TYPE');
    expect(codeOf(() => stream.pushMany([101, NaN, 102]))).toBe('NON_FINITE_VALUE');
    expect(codeOf(() => engine().restoreStream(before.subarray(0, before.length - 9)))).toBe('INVALID_SNAPSHOT');
    const corrupted = before.slice();
    corrupted[300]! ^= 1;
    expect(codeOf(() => engine().restoreStream(corrupted))).toBe('INVALID_SNAPSHOT');
    const newer = before.slice();
    newer[4] = 9;
    expect(codeOf(() => engine().restoreStream(newer))).toBe('INVALID_SNAPSHOT');
    expect(codeOf(() => engine().restoreStream(before, { config: { cutout: 6 } }))).toBe('SNAPSHOT_CONFIG_MISMATCH');
    expect(codeOf(() => engine().restoreStream(before, { config: { cutout: 5, semantics: 'pine' } }))).toBe('SNAPSHOT_CONFIG_MISMATCH');
    requireSameBytes('after refused input', stream.snapshot(), before);
    const log = new BarLog(120);
    const replay = engine().stream({ cutout: 5 });
    for (let i = 0; i < 100; i++) log.record(replay.push(prices[i]!));
    for (let i = 100; i < 120; i++) log.record(stream.push(prices[i]!));
    requireLikeCompute('after refused input', engine(), prices, { cutout: 5 }, log);
    stream.dispose();
    expect(codeOf(() => stream.push(100))).toBe('DISPOSED_STREAM');
  });

  it('growth overflow is refused at the bar compute refuses, and the stream keeps its state', () => {
    // the compounding equity of bit-identity's overflow test: ×1e60 per bar from ~1e−298
    const prices = Float64Array.from({ length: 120 }, (_, i) => (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300);
    for (let i = 100; i < 109; i++) prices[i] = prices[i - 1]! * 1e60;
    prices.fill(prices[108]!, 109);
    let computeBar: number | undefined;
    try {
      engine().compute(prices);
    } catch (e) {
      if (!(e instanceof AtcInputError)) throw e;
      computeBar = e.index;
    }
    expect(computeBar).toBeGreaterThan(100);
    const stream = engine().stream();
    stream.pushMany(prices.subarray(0, computeBar!));
    const before = stream.snapshot();
    let refused: AtcInputError | undefined;
    try {
      stream.push(prices[computeBar!]!);
    } catch (e) {
      if (e instanceof AtcInputError) refused = e;
      else throw e;
    }
    expect([refused?.code, refused?.index]).toEqual(['GROWTH_OVERFLOW', computeBar]);
    requireSameBytes('after the refused bar', stream.snapshot(), before);
  });

  it("the backend's own stream: a step whose outputs are not finite reports STEP_NOT_FINITE and commits nothing", () => {
    // growth exp(0.0005·i) with 20 % moves: the equities overflow near bar 107,000
    const base = { emaLength: 8, hmaLength: 8, wmaLength: 8, demaLength: 8, lsmaLength: 8, kamaLength: 8 };
    const wild = resolveConfig({ ...base, lambda: 0.5, decay: 0.01 });
    const x = seededWalk(110_000, 3, 0.2);
    const fresh = backend().createStream!(wild);
    const k = fresh.pushMany(x, new Float64Array(OUTPUT_ROWS * x.length));
    expect(k).toBeGreaterThan(0);
    expect(fresh.length).toBe(0);
    const stream = backend().createStream!(wild);
    expect(stream.pushMany(x.subarray(0, k), new Float64Array(OUTPUT_ROWS * k))).toBe(-1);
    const before = stream.exportState();
    const out = new Float64Array(OUTPUT_ROWS);
    expect(stream.push(x[k]!, out)).toBe(STEP_NOT_FINITE);
    const layer2Sum = out[6]! + out[7]! + out[8]! + out[9]! + out[10]! + out[11]!;
    expect(out.subarray(0, 6).every(Number.isFinite) && Number.isFinite(layer2Sum)).toBe(false);
    expect(stream.length).toBe(k);
    expect(firstDifference(stream.exportState(), before)).toBe(-1);
    // the last committed bar is still there to replace, with the same close: the same state
    expect(stream.replaceLast(x[k - 1]!, out)).toBe(STEP_OK);
    expect(firstDifference(stream.exportState(), before)).toBe(-1);
    expect(stream.push(x[k]!, out)).toBe(STEP_NOT_FINITE);
  }, 60_000);
}
