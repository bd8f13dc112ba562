import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AtcInputError, DEFAULT_CONFIG, fromReferenceParams, packConfig, PACKED_CONFIG_LENGTH, resolveConfig } from '../src/index.js';

describe('config', () => {
  it('defaults are the reference defaults', () => {
    const c = resolveConfig();
    expect(c.emaLength).toBe(28);
    expect(c.lengths.ema).toEqual([28, 29, 30, 32, 34, 27, 26, 24, 22]);
    expect(c.minimumBars).toBe(34);
    expect([c.lambda, c.decay, c.cutout, c.longThreshold, c.shortThreshold, c.strategyMode]).toEqual([0.02, 0.03, 0, 0.1, -0.1, false]);
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
  });
  it('maps the reference parameter names', () => {
    expect(fromReferenceParams({ hull_len: 12, La: 0.1, De: 0.2, strategy_mode: true })).toEqual({ hmaLength: 12, lambda: 0.1, decay: 0.2, strategyMode: true });
    expect(() => fromReferenceParams({ hma_len: 3 } as never)).toThrow(AtcInputError);
  });
  it('packs for the Rust backends', () => {
    const packed = packConfig(resolveConfig({ robustness: 'Wide', cutout: 5, kamaWeight: 2, strategyMode: true }));
    expect([...packed]).toEqual([28, 28, 28, 28, 28, 28, 1, 1, 1, 1, 1, 2, 2, 0.02, 0.03, 5, 0.1, -0.1, 1, 0]);
  });
  it('packs the vector shared with the Rust decoder (Params::from_packed)', () => {
    const vector = JSON.parse(readFileSync(new URL('../../../crates/atc-kernels/tests/data/packed_config.json', import.meta.url), 'utf8'));
    expect([...packConfig(resolveConfig(vector.config))]).toEqual(vector.packed);
    expect(PACKED_CONFIG_LENGTH).toBe(vector.packed.length);
  });
  it('a resolved config resolves to itself', () => {
    const c = resolveConfig({ emaLength: 10 });
    expect(resolveConfig(c)).toEqual(c);
  });
});
