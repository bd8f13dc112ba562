// The js stream (src/stream, docs/streaming.md) against the js backend's own computeAtc over the
// whole series, bit for bit (Object.is), from the first bar: pushes, pushMany, replaceLast of a
// forming bar, export → restore, sets, the growth rule, and the canonical vector's shape.
import {
  type AtcConfigInput,
  type BackendStream,
  type ResolvedAtcConfig,
  STEP_NOT_FINITE,
  MA_COUNT,
  STEP_OK,
  STREAM_MA_SLOTS,
  allocateBuffers,
  outputBars,
  resolveConfig,
  streamLayout,
  streamStateLength,
} from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../src/backend.js';

const backend = createJsBackend();
const createStream = backend.createStream!;
const createStreamSet = backend.createStreamSet!;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A walk with flat runs (short ones, and long ones that start the series or follow a bar with
 * probability 1/100: the MAs reach the close exactly there), exact ties (returns to earlier
 * levels) and up/down spikes.
 */
function adversarialSeries(n: number, seed: number): Float64Array {
  const next = rng(seed);
  const x = new Float64Array(n);
  let p = 100;
  let flat = seed % 3 === 0 ? 45 : 0;
  for (let i = 0; i < n; i++) {
    const u = next();
    if (flat > 0 || u < 0.01) {
      flat = flat > 0 ? flat - 1 : 50;
    } else if (u < 0.2) {
      // flat: repeat the close
    } else if (u < 0.3 && i > 2) {
      p = x[i - 1 - Math.floor(next() * Math.min(i - 1, 6))]!; // tie with a recent close
    } else if (u < 0.33) {
      p *= next() < 0.5 ? 3 : 1 / 3; // spike
    } else {
      p *= 1 + (next() - 0.5) * 0.04;
    }
    x[i] = p;
  }
  return x;
}

/** The 13 outputs of every bar of `x` per the batch: reference bar i ≥ c ↔ column i − c (NaN before), Pine column i. */
function batchBars(config: ResolvedAtcConfig, x: Float64Array): Float64Array[] {
  const n = x.length;
  const c = config.semantics === 'pine' ? 0 : config.cutout;
  const bars = Array.from({ length: n }, () => new Float64Array(13).fill(NaN));
  if (n <= c) return bars;
  const m = outputBars(config, n);
  const buffers = allocateBuffers(m, false);
  backend.computeAtc(x, config, buffers);
  for (let i = c; i < n; i++) for (let r = 0; r < 13; r++) bars[i]![r] = buffers.outputs[r * m + i - c]!;
  return bars;
}

/** The batch's per-MA rows (value, signal, equity) by input bar, from its first output bar. */
function batchDetails(config: ResolvedAtcConfig, x: Float64Array) {
  const first = config.semantics === 'pine' ? 0 : config.cutout;
  const m = outputBars(config, x.length);
  const buffers = allocateBuffers(m, true);
  backend.computeAtc(x, config, buffers);
  const at = (q: number, bar: number) => q * m + bar - first;
  return {
    first,
    ma: (q: number, bar: number) => buffers.movingAverages![at(q, bar)]!,
    signal: (q: number, bar: number) => buffers.maSignals![at(q, bar)]!,
    equity: (q: number, bar: number) => buffers.maEquities![at(q, bar)]!,
  };
}

const bitsOf = (v: ArrayLike<number>): string[] => Array.from(v, (value) => (Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value.toString(16)));

function expectBar(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  for (let r = 0; r < 13; r++) {
    if (!Object.is(got[r], want[r])) expect(bitsOf(got), `${label}, row ${r}`).toEqual(bitsOf(want));
  }
}

/** Row-major 13 × k column j of `out`. */
const column = (out: Float64Array, j: number, k: number): Float64Array => Float64Array.from({ length: 13 }, (_, r) => out[r * k + j]!);

/** Outputs of every bar of `x` pushed one at a time, and the exported state (as bits) after each bar, or after those in `at`. */
function pushedBars(config: ResolvedAtcConfig, x: Float64Array, at?: readonly number[]): { outputs: Float64Array[]; states: string[][] } {
  const stream = createStream(config);
  const outputs: Float64Array[] = [];
  const states: string[][] = [];
  for (let i = 0; i < x.length; i++) {
    const out = new Float64Array(13);
    expect(stream.push(x[i]!, out)).toBe(STEP_OK);
    outputs.push(out);
    states.push(!at || at.includes(i) ? bitsOf(stream.exportState()) : []);
  }
  return { outputs, states };
}

const SMALL = { emaLength: 4, hmaLength: 6, wmaLength: 5, demaLength: 7, lsmaLength: 8, kamaLength: 3 };
const CONFIGS: [string, AtcConfigInput][] = [
  ['defaults', {}],
  ['small lengths, Narrow', { ...SMALL, robustness: 'Narrow', emaLength: 5, lsmaLength: 5, kamaLength: 6 }],
  ['Wide, cutout 10, strategy mode', { robustness: 'Wide', emaLength: 8, hmaLength: 9, wmaLength: 8, demaLength: 8, lsmaLength: 8, kamaLength: 8, cutout: 10, strategyMode: true }],
  ['defaults, cutout 40, lambda 0.5, decay 0.25, weights', { cutout: 40, lambda: 0.5, decay: 0.25, emaWeight: 0.1, hmaWeight: 2, kamaWeight: 0.3 }],
  ['Medium small, cutout 3, thresholds', { robustness: 'Medium', emaLength: 7, hmaLength: 8, wmaLength: 7, demaLength: 7, lsmaLength: 7, kamaLength: 7, cutout: 3, longThreshold: 0.3, shortThreshold: -0.2 }],
];
const CASES = CONFIGS.flatMap(([name, input]) =>
  (['reference', 'pine'] as const).map((semantics) => [`${name}, ${semantics}`, resolveConfig({ ...input, semantics })] as const),
);

describe.each(CASES)('js stream: %s', (_name, config) => {
  it('pushed bar by bar equals computeAtc over the whole series from bar 0 (short series too)', () => {
    [7, 30, 95, 260].forEach((n, t) => {
      const x = adversarialSeries(n, 11 + t);
      const want = batchBars(config, x);
      const stream = createStream(config);
      const out = new Float64Array(13);
      for (let i = 0; i < n; i++) {
        expect(stream.push(x[i]!, out)).toBe(STEP_OK);
        expectBar(out, want[i]!, `n ${n}, bar ${i}`);
      }
      expect(stream.length).toBe(n);
    });
  });

  it("keeps every MA's value, signal and equity equal to the batch's details (bits the rounded outputs hide)", () => {
    const n = 240;
    const x = adversarialSeries(n, 18);
    const details = batchDetails(config, x);
    const { mas } = streamLayout(config);
    const stream = createStream(config);
    const out = new Float64Array(13);
    for (let i = 0; i < n; i++) {
      stream.push(x[i]!, out);
      // the exported base has stepped bars 0..i−1: its maPrev is the MA at bar i − 1
      const bar = i - 1;
      if (bar < details.first) continue;
      const state = stream.exportState();
      for (let q = 0; q < MA_COUNT; q++) {
        const slot = (field: number) => state[mas + q * STREAM_MA_SLOTS + field]!;
        const pairs = [[slot(6), details.ma(q, bar)], [slot(7), details.signal(q, bar)]];
        if (bar >= config.cutout) pairs.push([slot(8), details.equity(q, bar)]);
        pairs.forEach(([got, want], field) => {
          if (!Object.is(got, want)) expect(bitsOf([got!]), `MA ${q}, bar ${bar}, ${['value', 'signal', 'equity'][field]}`).toEqual(bitsOf([want!]));
        });
      }
    }
  });

  it('pushMany in chunks equals pushes, and a stream of pushes', () => {
    const x = adversarialSeries(180, 5);
    const want = batchBars(config, x);
    const next = rng(99);
    const stream = createStream(config);
    for (let i = 0; i < x.length; ) {
      const k = Math.min(x.length - i, Math.floor(next() * 40));
      const out = new Float64Array(13 * k);
      expect(stream.pushMany(x.subarray(i, i + k), out)).toBe(-1);
      for (let j = 0; j < k; j++) expectBar(column(out, j, k), want[i + j]!, `bar ${i + j} (chunk of ${k})`);
      i += k;
      expect(stream.length).toBe(i);
    }
    // then one more bar by push and a replaceLast: the base pushMany left is right
    const more = adversarialSeries(182, 5);
    const wantMore = batchBars(config, more);
    const out = new Float64Array(13);
    expect(stream.push(more[180]!, out)).toBe(STEP_OK);
    expectBar(out, wantMore[180]!, 'push after pushMany');
    const pushed = createStream(config);
    pushed.pushMany(more.subarray(0, 181), new Float64Array(13 * 181));
    expect(bitsOf(pushed.exportState())).toEqual(bitsOf(stream.exportState()));
  });

  it('pushMany of a long series (several internal runs) equals the batch and leaves the pushes\' state', () => {
    const n = 700;
    const x = adversarialSeries(n, 6);
    const want = batchBars(config, x);
    const stream = createStream(config);
    const out = new Float64Array(13 * n);
    expect(stream.pushMany(x, out)).toBe(-1);
    for (let i = 0; i < n; i++) expectBar(column(out, i, n), want[i]!, `bar ${i}`);
    const pushed = createStream(config);
    const one = new Float64Array(13);
    for (let i = 0; i < n; i++) pushed.push(x[i]!, one);
    expect(bitsOf(stream.exportState())).toEqual(bitsOf(pushed.exportState()));
  });

  it('pushMany runs that start at, end at and straddle every warm-up boundary equal the batch and the pushes (their exported state too)', () => {
    // the bars where a step stops being special: each MA's seed (L−1), KAMA's noise seed (L),
    // the HMA's second stage (L−2+⌊√L⌋), Pine DEMA's E2 seed (2L−2), the cutout and the bar after
    const lengths = Object.values(config.lengths).flat();
    const special = [config.cutout, config.cutout + 1, ...lengths.flatMap((l) => [l - 1, l, l - 2 + Math.floor(Math.sqrt(l)), 2 * l - 2])];
    const n = Math.max(...special) + 30;
    const x = adversarialSeries(n, 31);
    const want = batchBars(config, x);
    const pushes = pushedBars(config, x);
    const variants = [-2, -1, 0, 1, 2].flatMap((shift) => [1, 3].map((every) => ({ shift, every })));
    for (const { shift, every } of variants) {
      const cuts = [...new Set(special.map((b) => b + shift))].filter((b) => b > 0 && b < n).sort((a, b) => a - b).filter((_, t) => t % every === 0);
      const stream = createStream(config);
      let i = 0;
      for (const end of [...cuts, n]) {
        const k = end - i;
        const out = new Float64Array(13 * k);
        expect(stream.pushMany(x.subarray(i, end), out)).toBe(-1);
        for (let j = 0; j < k; j++) {
          expectBar(column(out, j, k), want[i + j]!, `shift ${shift}, every ${every}: bar ${i + j} (run ${i}..${end})`);
          expectBar(column(out, j, k), pushes.outputs[i + j]!, `shift ${shift}, every ${every}: bar ${i + j} (run ${i}..${end}, pushes)`);
        }
        i = end;
        expect(bitsOf(stream.exportState()), `state after bar ${end - 1}`).toEqual(pushes.states[end - 1]!);
      }
    }
  });

  it('pushMany of 5,200 bars (one call, and long uneven runs) equals the batch and the pushes\' exported state', () => {
    const n = 5200;
    const x = adversarialSeries(n, 77);
    const want = batchBars(config, x);
    const runs = [[0, 1], [1, 1301], [1301, 1302], [1302, 4000], [4000, n]] as const;
    const pushes = pushedBars(config, x, runs.map(([, to]) => to - 1));
    const whole = createStream(config);
    const out = new Float64Array(13 * n);
    expect(whole.pushMany(x, out)).toBe(-1);
    for (let i = 0; i < n; i++) {
      expectBar(column(out, i, n), want[i]!, `bar ${i}`);
      expectBar(column(out, i, n), pushes.outputs[i]!, `bar ${i} (pushes)`);
    }
    expect(bitsOf(whole.exportState())).toEqual(pushes.states[n - 1]!);
    const chunked = createStream(config);
    for (const [from, to] of runs) {
      const k = to - from;
      const part = new Float64Array(13 * k);
      expect(chunked.pushMany(x.subarray(from, to), part)).toBe(-1);
      for (let j = 0; j < k; j++) expectBar(column(part, j, k), want[from + j]!, `bar ${from + j} (run ${from}..${to})`);
      expect(bitsOf(chunked.exportState()), `state after bar ${to - 1}`).toEqual(pushes.states[to - 1]!);
    }
  });

  it('a restored state whose held signals are not −1, 0 or 1 (crafted): pushMany equals pushes', () => {
    // the run loops hold the signals as int32 when each is −1, 0 or 1; any other double takes
    // the per-MA path with the per-bar step's arithmetic, so pushMany still equals pushes
    const n = 900;
    const x = adversarialSeries(n, 41);
    const start = createStream(config);
    const head = 320;
    expect(start.pushMany(x.subarray(0, head), new Float64Array(13 * head))).toBe(-1);
    const state = start.exportState();
    const mas = streamLayout(config).mas;
    const odd = [0.5, -2, 3, -0.25];
    for (let q = 0; q < MA_COUNT; q++) if (q % 3 !== 1) state[mas + q * STREAM_MA_SLOTS + 7] = odd[q % odd.length]!;
    const many = createStream(config, { bars: head, state });
    const pushed = createStream(config, { bars: head, state });
    const k = n - head;
    const out = new Float64Array(13 * k);
    expect(many.pushMany(x.subarray(head), out)).toBe(-1);
    const one = new Float64Array(13);
    for (let j = 0; j < k; j++) {
      expect(pushed.push(x[head + j]!, one)).toBe(STEP_OK);
      expectBar(column(out, j, k), one, `bar ${head + j}`);
    }
    expect(bitsOf(many.exportState())).toEqual(bitsOf(pushed.exportState()));
  });

  it('random push / replaceLast / export → restore sequences equal the batch', () => {
    const n = 150;
    const x = adversarialSeries(n, 21);
    const want = batchBars(config, x);
    const next = rng(7);
    let stream: BackendStream = createStream(config);
    const out = new Float64Array(13);
    for (let i = 0; i < n; i++) {
      // a forming bar: pushed with a provisional close, replaced a few times, then the final close
      const forming = x[i]! * (1 + (next() - 0.5) * 0.1);
      expect(stream.push(forming, out)).toBe(STEP_OK);
      if (next() < 0.1) {
        const prefix = Float64Array.from(x.subarray(0, i + 1));
        prefix[i] = forming;
        expectBar(out, batchBars(config, prefix)[i]!, `forming bar ${i}`);
      }
      for (let t = Math.floor(next() * 3); t > 0; t--) {
        expect(stream.replaceLast(x[i]! * (1 + (next() - 0.5) * 0.1), out)).toBe(STEP_OK);
      }
      expect(stream.replaceLast(x[i]!, out)).toBe(STEP_OK);
      expectBar(out, want[i]!, `bar ${i}`);
      if (next() < 0.15) {
        const state = stream.exportState();
        expect(state.length).toBe(streamStateLength(config));
        const restored = createStream(config, { bars: stream.length, state });
        expect(restored.length).toBe(i + 1);
        expect(bitsOf(restored.exportState())).toEqual(bitsOf(state));
        stream = restored;
        if (next() < 0.5) {
          // a restored stream can still replace its last bar
          expect(stream.replaceLast(x[i]!, out)).toBe(STEP_OK);
          expectBar(out, want[i]!, `bar ${i} replaced after restore`);
        }
      }
    }
  });

  it('a set equals single streams, push and replaceLast', () => {
    const count = 3;
    const n = 120;
    const series = Array.from({ length: count }, (_, s) => adversarialSeries(n, 40 + s));
    const set = createStreamSet(count, config);
    const singles = series.map(() => createStream(config));
    const out = new Float64Array(13 * count);
    const one = new Float64Array(13);
    for (let i = 0; i < n; i++) {
      expect(set.push(Float64Array.from(series, (x) => x[i]! * 1.01), out)).toBe(-1);
      expect(set.replaceLast(Float64Array.from(series, (x) => x[i]!), out)).toBe(-1);
      singles.forEach((stream, s) => {
        expect(stream.push(series[s]![i]!, one)).toBe(STEP_OK);
        expectBar(column(out, s, count), one, `stream ${s}, bar ${i}`);
      });
    }
    expect(set.length).toBe(n);
    singles.forEach((stream, s) => expect(bitsOf(set.exportState(s))).toEqual(bitsOf(stream.exportState())));
  });

  it('exports the canonical vector: its length, canonical NaNs, the initial state', () => {
    const length = streamStateLength(config);
    const empty = createStream(config).exportState();
    expect(empty.length).toBe(length);
    const stream = createStream(config);
    stream.pushMany(adversarialSeries(50, 3), new Float64Array(13 * 50));
    for (const state of [empty, stream.exportState(), createStreamSet(2, config).exportState(1)]) {
      expect(state.length).toBe(length);
      const words = new BigUint64Array(state.buffer, state.byteOffset, state.length);
      state.forEach((v, j) => {
        if (Number.isNaN(v)) expect(words[j]).toBe(0x7ff8000000000000n);
      });
    }
    // restoring an empty stream gives an empty stream
    const restored = createStream(config, { bars: 0, state: empty });
    expect(restored.length).toBe(0);
    expect(() => restored.replaceLast(100, new Float64Array(13))).toThrow(RangeError);
  });
});

describe('js stream: growth rule and refusals', () => {
  // a close of 1e300 right after 1e-10: the scaled return is Infinity and equities overflow
  const series = (() => {
    const x = adversarialSeries(80, 8);
    x[60] = 1e-10;
    x[61] = 1e300;
    return x;
  })();
  const notFinite = (bar: Float64Array): boolean => {
    const layer2 = ((((bar[6]! + bar[7]!) + bar[8]!) + bar[9]!) + bar[10]!) + bar[11]!;
    const total = layer2 + (((bar[0]! + bar[1]!) + bar[2]!) + ((bar[3]! + bar[4]!) + bar[5]!));
    return total - total !== 0;
  };

  it.each(['reference', 'pine'] as const)('%s: the first non-finite bar is refused and nothing is committed', (semantics) => {
    const config = resolveConfig({ semantics, emaLength: 8, hmaLength: 8, wmaLength: 8, demaLength: 8, lsmaLength: 8, kamaLength: 8 });
    const want = batchBars(config, series);
    const bad = want.findIndex((bar, i) => i >= config.cutout && notFinite(bar));
    expect(bad).toBeGreaterThan(0);
    const stream = createStream(config);
    const out = new Float64Array(13);
    for (let i = 0; i < bad; i++) expect(stream.push(series[i]!, out)).toBe(STEP_OK);
    const before = stream.exportState();
    expect(stream.push(series[bad]!, out)).toBe(STEP_NOT_FINITE);
    expect(stream.length).toBe(bad);
    expect(bitsOf(stream.exportState())).toEqual(bitsOf(before));
    // a replaceLast that fails leaves the last bar as it was
    expect(stream.replaceLast(series[bad - 1]!, out)).toBe(STEP_OK);
    // pushMany across the bad bar commits nothing and names its offset
    const many = createStream(config);
    many.pushMany(series.subarray(0, bad - 3), new Float64Array(13 * (bad - 3)));
    const state = many.exportState();
    expect(many.pushMany(series.subarray(bad - 3, bad + 2), new Float64Array(13 * 5))).toBe(3);
    expect(many.length).toBe(bad - 3);
    expect(bitsOf(many.exportState())).toEqual(bitsOf(state));
    // a set names the failing stream and commits none
    const set = createStreamSet(2, config);
    const outs = new Float64Array(26);
    for (let i = 0; i < bad; i++) expect(set.push(Float64Array.of(100 + i, series[i]!), outs)).toBe(-1);
    const setState = set.exportState(0);
    expect(set.push(Float64Array.of(100, series[bad]!), outs)).toBe(1);
    expect(set.length).toBe(bad);
    expect(bitsOf(set.exportState(0))).toEqual(bitsOf(setState));
    // the stream goes on with a sane close as if the bad one never came
    const sane = Float64Array.from(series.subarray(0, bad + 1));
    sane[bad] = series[bad - 1]!;
    expect(stream.push(sane[bad]!, out)).toBe(STEP_OK);
    expectBar(out, batchBars(config, sane)[bad]!, 'bar after the refused one');
  });

  it('refuses bad closes, buffers and restores with RangeError', () => {
    const config = resolveConfig();
    const stream = createStream(config);
    const out = new Float64Array(13);
    for (const close of [0, -1, NaN, Infinity]) expect(() => stream.push(close, out)).toThrow(RangeError);
    expect(() => stream.push(100, new Float64Array(12))).toThrow(RangeError);
    expect(() => stream.replaceLast(100, out)).toThrow(RangeError);
    expect(() => stream.pushMany(Float64Array.of(1, 2), new Float64Array(13))).toThrow(RangeError);
    expect(() => stream.pushMany(Float64Array.of(1, -2), new Float64Array(26))).toThrow(RangeError);
    expect(stream.length).toBe(0);
    const state = stream.exportState();
    expect(() => createStream(config, { bars: 1, state: state.subarray(1) })).toThrow(RangeError);
    expect(() => createStream(config, { bars: -1, state })).toThrow(RangeError);
    expect(() => createStream(config, { bars: 1, state })).toThrow(RangeError); // last close NaN
    expect(() => createStreamSet(0, config)).toThrow(RangeError);
    expect(() => createStreamSet(2, config).push(Float64Array.of(1), new Float64Array(26))).toThrow(RangeError);
  });
});
