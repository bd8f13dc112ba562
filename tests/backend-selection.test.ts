// Backend selection in core: explicit choices, the env override, useRustBackend, and 'auto'
// falling back with exactly one warning while engine.backend names the backend that ran.
// Fake factories stand in for backends that fail to load (vitest isolates this file).
import { AtcBackendError, AtcInputError, type BackendFactory, createAtc, registerBackend } from '@adaptive-trend/core';
import '@adaptive-trend/backend-js';
import { describe, expect, it, vi } from 'vitest';

const failing = (name: 'native' | 'wasm', reason: string): BackendFactory => ({
  name,
  priority: name === 'native' ? 300 : 200,
  load: async () => {
    throw new Error(reason);
  },
});

registerBackend(failing('native', 'binary atc-node.linux-x64-gnu.node not found'));
registerBackend(failing('wasm', 'WebAssembly module failed to compile'));

describe('backend selection', () => {
  it("'js' runs the js backend", async () => {
    const engine = await createAtc({ backend: 'js', env: {} });
    expect(engine.backend).toBe('js');
    expect(engine.compute(Float64Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i))).backend).toBe('js');
  });

  it("'auto' falls back past failing backends with exactly one warning naming them", async () => {
    const onWarning = vi.fn();
    const engine = await createAtc({ backend: 'auto', onWarning, env: {} });
    expect(engine.backend).toBe('js');
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatch(/native failed \(binary atc-node.*not found\).*wasm failed/);
  });

  it('an explicit backend that fails throws, listing why, and never substitutes another', async () => {
    const error = await createAtc({ backend: 'native', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcBackendError);
    expect(String((error as Error).message)).toMatch(/native: binary atc-node/);
  });

  it('ATC_BACKEND overrides the option', async () => {
    const engine = await createAtc({ backend: 'native', env: { ATC_BACKEND: 'js' } });
    expect(engine.backend).toBe('js');
    await expect(createAtc({ backend: 'js', env: { ATC_BACKEND: 'wasm' } })).rejects.toBeInstanceOf(AtcBackendError);
  });

  it('rejects unknown choices with a typed error', async () => {
    await expect(createAtc({ env: { ATC_BACKEND: 'gpu' } })).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'ATC_BACKEND' });
    await expect(createAtc({ backend: 'cuda' as never, env: {} })).rejects.toBeInstanceOf(AtcInputError);
  });

  it('useRustBackend: false means js; true means a Rust backend or a clear error', async () => {
    expect((await createAtc({ useRustBackend: false, env: {} })).backend).toBe('js');
    const error = await createAtc({ useRustBackend: true, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcBackendError);
    expect((error as AtcBackendError).failures.map((f) => f.backend)).toEqual(['native', 'wasm']);
  });
});
