import type { Backend, BackendFactory, BackendLoadOptions, BackendName } from './backend.js';
import { AtcEngine } from './engine.js';
import { AtcBackendError, AtcInputError, type BackendLoadFailure, describeError } from './errors.js';

/** Which backend to use. `'auto'` tries native, then wasm, then js. */
export type BackendChoice = 'auto' | BackendName;

/** Options of {@link createAtc}. */
export interface CreateAtcOptions extends BackendLoadOptions {
  /** Backend to use (default `'auto'`). The `ATC_BACKEND` environment variable overrides it. */
  backend?: BackendChoice;
  /**
   * The reference's switch: `true` = a Rust backend (native, falling back to wasm with a
   * warning), `false` = the pure-TypeScript backend. Ignored when `backend` is set.
   */
  useRustBackend?: boolean;
  /** Receives the one warning of an 'auto' fallback. Default `console.warn`. */
  onWarning?: (message: string) => void;
  /** Environment to read `ATC_BACKEND` from. Default `process.env` where it exists. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Every backend this project ships and the package that provides it. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  native: '@adaptive-trend/backend-native',
  wasm: '@adaptive-trend/backend-wasm',
  js: '@adaptive-trend/backend-js',
};
const DEFAULT_PRIORITY: Readonly<Record<BackendName, number>> = { native: 300, wasm: 200, js: 100 };
const CHOICES: readonly BackendChoice[] = ['auto', 'native', 'wasm', 'js'];

const factories = new Map<BackendName, BackendFactory>();

/**
 * Makes a backend available to {@link createAtc}. Backend packages call this when imported,
 * so `import '@adaptive-trend/backend-wasm'` is enough; call it yourself for a custom build.
 */
export function registerBackend(factory: BackendFactory): void {
  factories.set(factory.name, factory);
}

/** Backends registered so far (by import or {@link registerBackend}). */
export function registeredBackends(): BackendName[] {
  return [...factories.keys()];
}

class NotInstalled extends Error {}

const NODE_MODULE = 'node:module';
const NODE_URL = 'node:url';

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(specifier);
}

/**
 * Finds a backend's factory: registered already, or (in Node) importable by package name,
 * first from core's own location, then from the working directory (pnpm's strict layout).
 */
async function findFactory(name: BackendName): Promise<BackendFactory> {
  const known = factories.get(name);
  if (known) return known;
  const specifier = BACKEND_PACKAGES[name];
  const attempts: (() => Promise<unknown>)[] = [() => import(/* @vite-ignore */ specifier)];
  if (typeof process !== 'undefined' && process.versions?.node) {
    attempts.push(async () => {
      // Computed specifiers: bundlers for the browser must not try to resolve Node built-ins.
      const { createRequire } = (await import(/* @vite-ignore */ NODE_MODULE)) as typeof import('node:module');
      const { pathToFileURL } = (await import(/* @vite-ignore */ NODE_URL)) as typeof import('node:url');
      const resolved = createRequire(`${process.cwd()}/`).resolve(specifier);
      return import(pathToFileURL(resolved).href);
    });
  }
  for (const attempt of attempts) {
    try {
      const mod = (await attempt()) as { backendFactory?: BackendFactory };
      const factory = factories.get(name) ?? mod.backendFactory;
      if (factory) return factory;
    } catch (error) {
      if (!isModuleNotFound(error, specifier)) throw error;
    }
  }
  throw new NotInstalled(`package ${specifier} is not installed (install it or import it before createAtc)`);
}

function readEnv(options: CreateAtcOptions): string | undefined {
  const env = options.env ?? (typeof process !== 'undefined' ? process.env : undefined);
  const value = env?.ATC_BACKEND?.trim();
  return value ? value : undefined;
}

function requestedChoice(options: CreateAtcOptions): { choice: BackendChoice; candidates: BackendName[] } {
  const fromEnv = readEnv(options);
  if (fromEnv !== undefined && !CHOICES.includes(fromEnv as BackendChoice)) {
    throw new AtcInputError('INVALID_OPTION', 'ATC_BACKEND', `must be one of ${CHOICES.join(', ')}, got ${fromEnv}`);
  }
  if (options.backend !== undefined && !CHOICES.includes(options.backend)) {
    throw new AtcInputError('INVALID_OPTION', 'options.backend', `must be one of ${CHOICES.join(', ')}, got ${String(options.backend)}`);
  }
  if (options.useRustBackend !== undefined && typeof options.useRustBackend !== 'boolean') {
    throw new AtcInputError('INVALID_OPTION', 'options.useRustBackend', 'must be a boolean');
  }
  const byPriority = (names: BackendName[]) =>
    names.sort((a, b) => (factories.get(b)?.priority ?? DEFAULT_PRIORITY[b]) - (factories.get(a)?.priority ?? DEFAULT_PRIORITY[a]));
  const choice: BackendChoice =
    (fromEnv as BackendChoice | undefined) ??
    options.backend ??
    (options.useRustBackend === false ? 'js' : 'auto');
  if (choice !== 'auto') return { choice, candidates: [choice] };
  const rustOnly = fromEnv === undefined && options.backend === undefined && options.useRustBackend === true;
  return { choice, candidates: byPriority(rustOnly ? ['native', 'wasm'] : ['native', 'wasm', 'js']) };
}

async function loadBackend(name: BackendName, options: CreateAtcOptions): Promise<Backend> {
  const factory = await findFactory(name);
  const backend = await factory.load(options);
  if (backend.name !== name) throw new Error(`factory for ${name} returned backend ${backend.name}`);
  return backend;
}

/**
 * Creates an {@link AtcEngine} on the chosen backend. Explicit choices fail loudly
 * ({@link AtcBackendError}); `'auto'` takes the first backend that loads (native, wasm, js)
 * and, if an installed backend failed on the way, reports exactly one warning naming it.
 * `engine.backend` is always the backend that really runs.
 *
 * @example
 * ```ts
 * const engine = await createAtc({ backend: 'auto' });
 * const result = engine.compute(closes);
 * console.log(engine.backend, result.toRecord().Average_Signal.at(-1));
 * ```
 */
export async function createAtc(options: CreateAtcOptions = {}): Promise<AtcEngine> {
  const { choice, candidates } = requestedChoice(options);
  const failures: BackendLoadFailure[] = [];
  const missing: BackendLoadFailure[] = [];
  for (const name of candidates) {
    try {
      const backend = await loadBackend(name, options);
      if (failures.length > 0) {
        const warn = options.onWarning ?? ((message: string) => console.warn(message));
        warn(
          `[adaptive-trend] backend 'auto' fell back to '${name}': ${failures
            .map((f) => `${f.backend} failed (${describeError(f.error)})`)
            .join('; ')}`,
        );
      }
      return new AtcEngine(backend);
    } catch (error) {
      (error instanceof NotInstalled ? missing : failures).push({ backend: name, error });
    }
  }
  const what = choice === 'auto' ? `no backend could be loaded (tried ${candidates.join(', ')})` : `backend '${choice}' could not be loaded`;
  throw new AtcBackendError(what, [...failures, ...missing]);
}
