// The growth check inside every shipped backend's computeAtc (Backend.computeAtc's return):
// each returns a number — never void, so core never rescans a finite result — and that number is
// core's own scan of what it wrote (`firstNonFiniteOutputBar`), on real closes, random walks and
// series whose equities overflow at a known bar, both semantics. Through the engine, such a
// series gives exactly the GROWTH_OVERFLOW error core's scan builds (the refusal is unchanged).
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as nativeFactory } from '@adaptive-trend/backend-native';
import { backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { findSharedDir, loadCloses, seededWalk } from '@adaptive-trend/conformance';
import { type AtcConfigInput, AtcEngine, AtcInputError, type Backend, firstNonFiniteOutputBar, outputBars, resolveConfig } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';

const factories = [nativeFactory, wasmFactory, jsFactory];

/** Prices near 1e−300 jumping ×1e60 for nine bars from `jump` on: a long position's equity passes 1.8e308. */
function overflowingAt(jump: number, n = 400): Float64Array {
  const x = Float64Array.from({ length: n }, (_, i) => (100 + Math.sin(i / 5) * 3 + i * 0.05) * 1e-300);
  for (let i = jump; i < jump + 9; i++) x[i] = x[i - 1]! * 1e60;
  return x.fill(x[jump + 8]!, jump + 9);
}

function inputs(): [string, Float64Array][] {
  const shared = findSharedDir();
  const real: [string, Float64Array][] = shared ? ['ETH_BTC-5m', 'nvda-1999-2014'].map((d) => [d, loadCloses(shared, d).subarray(0, 1500)]) : [];
  return [...real, ['walk', seededWalk(1500, 5)], ['wild walk', seededWalk(1500, 9, 0.2)], ...[60, 150, 250].map((j): [string, Float64Array] => [`overflow at ${j}`, overflowingAt(j)])];
}

const CONFIGS: AtcConfigInput[] = [{}, { cutout: 120, strategyMode: true, lambda: 0.3 }, { semantics: 'pine' }, { semantics: 'pine', cutout: 120 }];

/** The error `compute` throws, as comparable fields; 'ok' when it accepts. */
function refusal(engine: AtcEngine, prices: Float64Array, config: AtcConfigInput): unknown[] | 'ok' {
  try {
    engine.compute(prices, config);
    return 'ok';
  } catch (error) {
    if (!(error instanceof AtcInputError)) throw error;
    return [error.code, error.field, error.index, error.message];
  }
}

describe.each(factories.map((f) => [f.name, f] as const))('%s: computeAtc reports the growth check', (_, factory) => {
  it('a number, equal to core’s scan of its outputs, on real, random and overflowing series', async () => {
    const backend: Backend = await factory.load();
    let overflowing = 0;
    for (const [label, prices] of inputs()) {
      for (const input of CONFIGS) {
        const config = resolveConfig(input);
        const outputs = new Float64Array(13 * outputBars(config, prices.length));
        const reported = backend.computeAtc(prices, config, { outputs });
        expect(typeof reported, `${label} ${JSON.stringify(input)}`).toBe('number');
        expect(reported, `${label} ${JSON.stringify(input)}`).toBe(firstNonFiniteOutputBar(outputs, outputBars(config, prices.length), config));
        if ((reported as number) >= 0) overflowing++;
      }
    }
    expect(overflowing).toBeGreaterThanOrEqual(8); // the overflow cases (a jump before the cutout may not overflow)
  });

  it('λ compounding the equities past 1.8e308 (growth exp(0.0005·i), 20 % moves): the verdict is the scan’s bar, ~107,000', async () => {
    const backend = await factory.load();
    const lengths = { emaLength: 8, hmaLength: 8, wmaLength: 8, demaLength: 8, lsmaLength: 8, kamaLength: 8 };
    const prices = seededWalk(110_000, 3, 0.2);
    for (const input of [{ ...lengths, lambda: 0.5, decay: 0.01 }, { ...lengths, lambda: 0.5, decay: 0.01, semantics: 'pine' as const, cutout: 50 }]) {
      const config = resolveConfig(input);
      const m = outputBars(config, prices.length);
      const outputs = new Float64Array(13 * m);
      const reported = backend.computeAtc(prices, config, { outputs });
      expect(reported).toBe(firstNonFiniteOutputBar(outputs, m, config));
      expect(reported).toBeGreaterThan(100_000);
    }
  });

  it('an overflowing series gives the error core’s own scan gives (a backend reporting nothing)', async () => {
    const backend = await factory.load();
    // the same backend, its computeAtc's verdict dropped (methods bound: wasm's use private fields)
    const scanning = new Proxy(backend, {
      get: (target, key) => {
        if (key === 'computeAtc') return (...args: Parameters<Backend['computeAtc']>) => void target.computeAtc(...args);
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let refused = 0;
    for (const jump of [60, 150, 250]) {
      for (const config of CONFIGS) {
        const expected = refusal(new AtcEngine(scanning), overflowingAt(jump), config);
        expect(refusal(new AtcEngine(backend), overflowingAt(jump), config)).toEqual(expected);
        if (expected !== 'ok') refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(8);
  });
});
