// Selecting the real native backend: by name, by useRustBackend, by ATC_BACKEND, and 'auto'
// falling back (one warning, truthful engine.backend) when the binary is missing.
import { createAtc } from '@adaptive-trend/core';
import '@adaptive-trend/backend-js';
import '@adaptive-trend/backend-native';
import { describe, expect, it, vi } from 'vitest';

const prices = Float64Array.from({ length: 80 }, (_, i) => 100 + 5 * Math.sin(i / 6));

describe('native backend selection', () => {
  it("backend: 'native', useRustBackend: true, ATC_BACKEND=native and 'auto' all run native", async () => {
    for (const options of [{ backend: 'native' as const }, { useRustBackend: true }, { env: { ATC_BACKEND: 'native' } }, { backend: 'auto' as const }]) {
      const onWarning = vi.fn();
      const engine = await createAtc({ env: {}, onWarning, ...options });
      expect(engine.backend).toBe('native');
      expect(engine.compute(prices).backend).toBe('native');
      expect(onWarning).not.toHaveBeenCalled();
    }
  });

  it("'auto' falls back with one warning when the binary is missing", async () => {
    const onWarning = vi.fn();
    const engine = await createAtc({ backend: 'auto', backendOptions: { native: { binding: '/missing/atc-node.node' } }, onWarning, env: {} });
    expect(engine.backend).toBe('wasm'); // next in priority; found installed beside the tests
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatch(/native failed \(native addon .* not found/);
    const js = await createAtc({ backend: 'js', env: {} });
    expect(engine.compute(prices).toRecord()).toEqual(js.compute(prices).toRecord());
  });

  it('an explicit native request with a missing binary fails loudly', async () => {
    await expect(createAtc({ backend: 'native', backendOptions: { native: { binding: '/missing/atc-node.node' } }, env: {} })).rejects.toThrow(/missing\/atc-node/);
  });
});
