// Results core allocates through `Backend.allocateOutput` are not zeroed (core's
// `uninitializedArray`), so every shipped backend's kernels must write each element of them:
// core is handed sentinel-filled arrays instead, and no sentinel may survive in any result —
// every kernel at its length edges, compute with and without details, both semantics, and the
// long-series path — and each result equals the one computed into zeroed arrays.
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as nativeFactory } from '@adaptive-trend/backend-native';
import { backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { findSharedDir, firstDifference, loadCloses, seededWalk } from '@adaptive-trend/conformance';
import { AtcEngine, type AtcConfigInput, type Backend, MA_KINDS } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// core's test hook (not public API): forces compute onto the long-series path
import { setLongSeriesOptions } from '../packages/core/dist/long-series.js';

// A NaN whose payload no kernel produces (their NaNs are the canonical 0x7ff8…), and an i8
// outside the signals' {−1, 0, 1}.
const SENTINEL_F64 = 0xfff4_dead_beef_cafen;
const SENTINEL_I8 = 0x5a;

function poisoned<K extends 'f64' | 'i8'>(kind: K, length: number): K extends 'f64' ? Float64Array : Int8Array {
  if (kind === 'f64') {
    const a = new Float64Array(length);
    new BigUint64Array(a.buffer).fill(SENTINEL_F64);
    return a as never;
  }
  return new Int8Array(length).fill(SENTINEL_I8) as never;
}

/** Index of the first element still holding the sentinel's bits, −1 if none. */
function firstSentinel(a: Float64Array | Int8Array): number {
  if (a instanceof Int8Array) return a.indexOf(SENTINEL_I8);
  return new BigUint64Array(a.buffer, a.byteOffset, a.length).indexOf(SENTINEL_F64);
}

describe.each([
  ['native', nativeFactory],
  ['wasm', wasmFactory],
  ['js', jsFactory],
] as const)('%s: every element of a result core allocates is written', (name, factory) => {
  let backend: Backend;
  /** Core over the backend with sentinel-filled outputs; every array it handed out. */
  let poisonedEngine: AtcEngine;
  const handedOut: (Float64Array | Int8Array)[] = [];
  /** Core over the backend with zeroed outputs (no hook): the expected values. */
  let zeroedEngine: AtcEngine;

  beforeAll(async () => {
    backend = await factory.load();
    poisonedEngine = new AtcEngine(
      Object.assign(Object.create(Object.getPrototypeOf(backend) as object) as Backend, backend, {
        allocateOutput: (kind: 'f64' | 'i8', length: number) => {
          const a = poisoned(kind, length);
          handedOut.push(a);
          return a as never;
        },
      }),
    );
    zeroedEngine = new AtcEngine(Object.assign(Object.create(Object.getPrototypeOf(backend) as object) as Backend, backend, { allocateOutput: undefined }));
  });

  it('has the hook (else this file tests nothing for it)', () => {
    expect(backend.allocateOutput, name).toBeTypeOf('function');
  });

  /** Runs `call` on both engines; the poisoned result must hold no sentinel and equal the zeroed one. */
  function expectFullyWritten(label: string, call: (engine: AtcEngine) => (Float64Array | Int8Array)[]): void {
    handedOut.length = 0;
    const got = call(poisonedEngine);
    const hooked = handedOut.splice(0);
    expect(hooked.length, `${label}: core allocated through the hook`).toBeGreaterThan(0);
    for (const [i, a] of hooked.entries()) expect(firstSentinel(a), `${label}: array ${i} of ${hooked.length} left unwritten at`).toBe(-1);
    const want = call(zeroedEngine);
    got.forEach((a, i) => expect(firstDifference(a, want[i]!), `${label}: result ${i} equals the zero-allocated one`).toBe(-1));
  }

  describe('sentinel check (the detector itself)', () => {
    it('finds an element a kernel did not write', () => {
      const f = poisoned('f64', 50);
      f.fill(1, 0, 49);
      expect(firstSentinel(f)).toBe(49);
      const s = poisoned('i8', 50);
      s.fill(0, 1);
      expect(firstSentinel(s)).toBe(0);
      expect(firstSentinel(Float64Array.of(Number.NaN, 0))).toBe(-1); // a kernel's NaN is not the sentinel
    });
  });

  describe('kernels', () => {
    const n = 700;
    const prices = seededWalk(n, 11);
    it('moving averages, every kind, warm-up lengths from 1 (2 for HMA) to n and beyond for KAMA', () => {
      for (const kind of MA_KINDS) {
        for (const length of [kind === 'hma' ? 2 : 1, 3, 28, 200, n - 1, n, ...(kind === 'kama' ? [n + 5] : [])]) {
          expectFullyWritten(`${kind}(${length})`, (e) => [e.movingAverage(kind, prices, length)]);
        }
      }
      expectFullyWritten('kama on 1 bar', (e) => [e.kama(prices.subarray(0, 1), 28)]);
    });
    it('returns, signals, persistence, equity, Layer 1', () => {
      const ma = zeroedEngine.ema(prices, 28);
      const held = zeroedEngine.crossoverSignal(prices, ma);
      const signal = Float64Array.from(held);
      const returns = zeroedEngine.scaledReturns(prices, 0.02);
      expectFullyWritten('rateOfChange', (e) => [e.rateOfChange(prices)]);
      expectFullyWritten('scaledReturns', (e) => [e.scaledReturns(prices, 0.05)]);
      expectFullyWritten('crossoverSignal (NaN warm-up)', (e) => [e.crossoverSignal(prices, ma)]);
      // lengths around the persistence kernel's 64-bar (32 with AVX2) blocks and its tail
      for (const m of [1, 31, 32, 63, 64, 65, 129, n]) {
        const up = Uint8Array.from({ length: m }, (_, i) => (i % 7 === 3 ? 1 : 0));
        const down = Uint8Array.from({ length: m }, (_, i) => (i % 5 === 1 ? 1 : 0));
        expectFullyWritten(`persistSignal(${m})`, (e) => [e.persistSignal(up, down)]);
      }
      // cutouts around the equity kernel's 16-bar blocks, and a curve that lives at the floor
      for (const cutout of [0, 1, 15, 16, 17, 333, n - 2, n - 1]) {
        expectFullyWritten(`equityCurve(cutout ${cutout})`, (e) => [e.equityCurve(returns, signal, { cutout })]);
      }
      const crash = returns.map((r, i) => (i === 0 ? r : -Math.abs(r) * 3));
      expectFullyWritten('equityCurve at the floor', (e) => [e.equityCurve(crash, new Float64Array(n).fill(1), { startingEquity: 0.3 })]);
      const rows = 9;
      const signals = Int8Array.from({ length: rows * n }, (_, i) => ((i * 7) % 3) - 1);
      const equities = Float64Array.from({ length: rows * n }, (_, i) => (i % 13 === 0 ? 0 : 1 + (i % 11) / 10));
      expectFullyWritten('layer1Signal', (e) => [e.layer1Signal(signals, equities, rows)]);
    });
  });

  describe('compute: every output and detail row', () => {
    const shared = findSharedDir();
    const real = shared === undefined ? [] : [loadCloses(shared, 'nvda-1999-2014').subarray(0, 1500), loadCloses(shared, 'ETH_BTC-5m').subarray(0, 1200)];
    const series = [seededWalk(400, 3), seededWalk(1500, 7, 0.01), ...real];
    const configs: AtcConfigInput[] = [
      {},
      { semantics: 'pine' },
      { robustness: 'Wide', lambda: 0.5, cutout: 10, strategyMode: true },
      { semantics: 'pine', robustness: 'Narrow', cutout: 25, decay: 0.25 },
    ];
    it('batch path, with and without details, both semantics', () => {
      for (const [s, prices] of series.entries()) {
        for (const config of configs) {
          for (const details of [false, true]) {
            expectFullyWritten(`compute series ${s} ${JSON.stringify(config)} details=${details}`, (e) => {
              const r = e.compute(prices, config, { details });
              const d = r.details;
              return d === undefined ? [r.averageSignal, ...Object.values(r.signals), ...Object.values(r.equities)]
                : [r.averageSignal, ...Object.values(d.movingAverages).flat(), ...Object.values(d.maSignals).flat(), ...Object.values(d.maEquities).flat()];
            });
          }
        }
      }
    });
    describe('long-series path (computeLongSeries into the result)', () => {
      let previous: ReturnType<typeof setLongSeriesOptions>;
      beforeAll(() => {
        previous = setLongSeriesOptions({ threshold: 0 });
      });
      afterAll(() => {
        setLongSeriesOptions(previous);
      });
      const longCompute = (label: string) => {
        for (const prices of series) {
          for (const config of configs) {
            expectFullyWritten(`${label} ${JSON.stringify(config)}`, (e) => {
              const r = e.compute(prices, config);
              return [r.averageSignal, ...Object.values(r.signals), ...Object.values(r.equities)];
            });
          }
        }
      };
      it('both semantics', () => longCompute('long compute'));
      it("core's own chunk loop (pushMany chunks copied into the result)", () => {
        const before = setLongSeriesOptions({ chunkBars: 333 });
        try {
          longCompute('long compute, chunks of 333');
        } finally {
          setLongSeriesOptions({ chunkBars: before.chunkBars });
        }
      });
    });
  });
});
