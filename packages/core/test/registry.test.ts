// The registry's API (issue 11 item 4): open backend names, priorities only on factories,
// per-backend options under backendOptions, the removed top-level options refused by name.
// Only the fakes registered here exist (no shipped backend is registered in this file).
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { AtcBackendError, type Backend, type BackendFactory, KNOWN_BACKENDS, createAtc, registerBackend, registeredBackends } from '../src/index.js';

function stubBackend(name: string): Backend {
  const nothing = () => {};
  return {
    name,
    movingAverage: nothing,
    rateOfChange: nothing,
    scaledReturns: nothing,
    crossoverSignal: nothing,
    persistSignal: nothing,
    equityCurve: nothing,
    layer1Signal: nothing,
    computeAtc: nothing,
  };
}

const seen: Record<string, unknown> = {};
function factory(name: string, priority: number, fails = false): BackendFactory<{ level?: number }> {
  return {
    name,
    priority,
    load: async (options) => {
      seen[name] = options;
      if (fails) throw new Error(`${name} cannot run here`);
      return stubBackend(name);
    },
  };
}

registerBackend(factory('gpu', 250, true));
registerBackend(factory('simd-js', 150));
registerBackend(factory('slow', 50));

describe('registry', () => {
  it('KNOWN_BACKENDS is the one list of shipped package names', () => {
    expect(KNOWN_BACKENDS).toEqual({ native: '@adaptive-trend/backend-native', wasm: '@adaptive-trend/backend-wasm', js: '@adaptive-trend/backend-js' });
    expect(Object.isFrozen(KNOWN_BACKENDS)).toBe(true);
  });

  it('third-party names are selectable explicitly and get backendOptions[name]', async () => {
    const engine = await createAtc({ backend: 'simd-js', backendOptions: { 'simd-js': { level: 3 } } as never, env: {} });
    expect(engine.backend).toBe('simd-js');
    expect(seen['simd-js']).toEqual({ level: 3 });
    expect(registeredBackends()).toEqual(expect.arrayContaining(['gpu', 'simd-js', 'slow']));
  });

  it("'auto' orders every registered backend by its factory's priority and warns once about failures", async () => {
    const onWarning = vi.fn();
    const engine = await createAtc({ onWarning, env: {} });
    expect(engine.backend).toBe('simd-js'); // gpu (250) failed, simd-js (150) before slow (50)
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatch(/fell back to 'simd-js': gpu failed \(gpu cannot run here\)/);
  });

  it('ATC_BACKEND accepts a registered name; unknown names are INVALID_OPTION listing the choices', async () => {
    expect((await createAtc({ env: { ATC_BACKEND: 'slow' } })).backend).toBe('slow');
    await expect(createAtc({ env: { ATC_BACKEND: 'tpu' } })).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'ATC_BACKEND', message: /auto, native, wasm, js, gpu, simd-js, slow/ });
  });

  it('an explicit shipped backend that is not installed says so', () => {
    // Plain Node on the built core, from a directory with no node_modules and without NODE_PATH
    // (pnpm points it at the workspace's store): vitest's resolver and NODE_PATH would both find
    // the workspace's backend packages, which a user's project without them lacks.
    const core = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const script = `import { createAtc } from ${JSON.stringify(core)};
      const error = await createAtc({ backend: 'wasm', env: {} }).catch((e) => e);
      console.log(JSON.stringify({ name: error?.name, message: error?.message }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(run.stderr).toBe('');
    const error = JSON.parse(run.stdout) as { name: string; message: string };
    expect(error.name).toBe('AtcBackendError');
    expect(error.message).toMatch(/@adaptive-trend\/backend-wasm is not installed/);
  });

  it('the old top-level options are refused, naming where they moved', async () => {
    await expect(createAtc({ nativeBinding: '/x.node' } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'options.nativeBinding', message: /backendOptions\.native\.binding/ });
    await expect(createAtc({ wasm: new Uint8Array(8) } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'options.wasm', message: /backendOptions\.wasm\.module/ });
    await expect(createAtc({ backendOptions: [] as never, env: {} })).rejects.toMatchObject({ code: 'INVALID_TYPE', field: 'options.backendOptions' });
  });

  it('registerBackend refuses factories without a name, priority or load', () => {
    expect(() => registerBackend({ name: 'auto', priority: 1, load: async () => stubBackend('auto') })).toThrow(/other than 'auto'/);
    expect(() => registerBackend({ name: 'x', priority: Number.NaN, load: async () => stubBackend('x') })).toThrow(/priority/);
    expect(() => registerBackend({ name: '', priority: 1 } as never)).toThrow(/non-empty/);
  });
});
