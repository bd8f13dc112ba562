import type { Backend, BackendFactory, BackendName, BackendOptions } from './backend.js';
import { AtcEngine } from './engine.js';
import { AtcBackendError, AtcInputError, type BackendLoadFailure, describeError } from './errors.js';

/** Which backend to use: `'auto'`, a shipped backend or the name of a registered one. */
export type BackendChoice = 'auto' | BackendName;

/** Options of {@link createAtc}. */
export interface CreateAtcOptions {
  /** Backend to use (default `'auto'`). The `ATC_BACKEND` environment variable overrides it. */
  backend?: BackendChoice;
  /**
   * Load options per backend, passed as `backendOptions[name]` to that backend's
   * {@link BackendFactory.load}. Each backend package declares its key (`native`, `wasm`).
   *
   * @example
   * ```ts
   * await createAtc({ backendOptions: { native: { binding: '/opt/atc-node.node' }, wasm: { module: bytes } } });
   * ```
   */
  backendOptions?: BackendOptions;
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

/**
 * The backends this project ships and the package of each: the one list of their package
 * names (core's 'auto', the CLI and the conformance runner all read it). Their `'auto'`
 * priorities live in each package's {@link BackendFactory.priority}.
 *
 * @example
 * ```ts
 * for (const [name, pkg] of Object.entries(KNOWN_BACKENDS)) console.log(name, pkg);
 * ```
 */
export const KNOWN_BACKENDS = Object.freeze({
  native: '@adaptive-trend/backend-native',
  wasm: '@adaptive-trend/backend-wasm',
  js: '@adaptive-trend/backend-js',
} as const);

/** Names of the shipped backends, in {@link KNOWN_BACKENDS}' order. */
type KnownBackend = keyof typeof KNOWN_BACKENDS;
const KNOWN_NAMES = Object.keys(KNOWN_BACKENDS) as KnownBackend[];
const RUST_BACKENDS: readonly BackendName[] = ['native', 'wasm'];

const factories = new Map<BackendName, BackendFactory>();

/**
 * Makes a backend available to {@link createAtc}. Backend packages call this when imported,
 * so `import '@adaptive-trend/backend-wasm'` is enough; call it yourself for a custom build or
 * a third-party backend (any name: {@link BackendName} is open). A later registration of the
 * same name replaces the earlier one.
 *
 * @example
 * ```ts
 * registerBackend({ name: 'mine', priority: 150, load: async () => myBackend });
 * const engine = await createAtc({ backend: 'mine' });
 * ```
 */
export function registerBackend<Options>(factory: BackendFactory<Options>): void {
  if (factory === null || typeof factory !== 'object' || typeof factory.name !== 'string' || factory.name === '' || factory.name === 'auto') {
    throw new AtcInputError('INVALID_OPTION', 'factory.name', `must be a non-empty backend name other than 'auto', got ${String(factory?.name)}`);
  }
  if (typeof factory.priority !== 'number' || !Number.isFinite(factory.priority) || typeof factory.load !== 'function') {
    throw new AtcInputError('INVALID_OPTION', 'factory', `backend '${factory.name}' needs a finite numeric priority and a load function`);
  }
  factories.set(factory.name, factory as BackendFactory);
}

/**
 * Backends registered so far (by import or {@link registerBackend}).
 *
 * @example
 * ```ts
 * import '@adaptive-trend/backend-js';
 * registeredBackends(); // ['js']
 * ```
 */
export function registeredBackends(): BackendName[] {
  return [...factories.keys()];
}

class NotInstalled extends Error {}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(specifier);
}

function isKnown(name: BackendName): name is KnownBackend {
  return Object.hasOwn(KNOWN_BACKENDS, name);
}

/**
 * Finds a backend's factory: registered already, or (a shipped backend, in Node) importable
 * by package name, first from core's own location, then from the working directory (pnpm's
 * strict layout).
 */
async function findFactory(name: BackendName): Promise<BackendFactory> {
  const registered = factories.get(name);
  if (registered) return registered;
  if (!isKnown(name)) throw new NotInstalled(`no backend named '${name}' is registered (call registerBackend first)`);
  const specifier = KNOWN_BACKENDS[name];
  const attempts: (() => Promise<unknown>)[] = [() => import(/* @vite-ignore */ specifier)];
  if (typeof process !== 'undefined' && process.versions?.node) {
    attempts.push(async () => {
      const host = (await import('#node-host')) as typeof import('./node-host.js');
      return host.importFromWorkingDirectory(specifier);
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

function choicesText(): string {
  const extra = registeredBackends().filter((name) => !isKnown(name));
  return ['auto', ...KNOWN_NAMES, ...extra].join(', ');
}

function checkChoice(field: string, value: unknown): BackendChoice {
  if (typeof value === 'string' && (value === 'auto' || isKnown(value) || factories.has(value))) return value;
  throw new AtcInputError('INVALID_OPTION', field, `must be one of ${choicesText()} (or the name of a backend registered with registerBackend), got ${String(value)}`);
}

/** Top-level options of earlier versions that moved into `backendOptions`. */
const MOVED_OPTIONS: Readonly<Record<string, string>> = {
  nativeBinding: 'backendOptions.native.binding',
  wasm: 'backendOptions.wasm.module',
};

function checkOptions(options: CreateAtcOptions): void {
  if (options === null || typeof options !== 'object') throw new AtcInputError('INVALID_TYPE', 'options', 'must be an object');
  for (const [old, now] of Object.entries(MOVED_OPTIONS)) {
    if (Object.hasOwn(options, old)) throw new AtcInputError('INVALID_OPTION', `options.${old}`, `moved: pass it as ${now}`);
  }
  const { backendOptions } = options;
  if (backendOptions !== undefined && (backendOptions === null || typeof backendOptions !== 'object' || Array.isArray(backendOptions))) {
    throw new AtcInputError('INVALID_TYPE', 'options.backendOptions', 'must be an object with one key per backend name');
  }
  if (options.useRustBackend !== undefined && typeof options.useRustBackend !== 'boolean') {
    throw new AtcInputError('INVALID_OPTION', 'options.useRustBackend', 'must be a boolean');
  }
}

/** The explicit choice, or `'auto'` with the backend names it may consider (undefined = all). */
function requestedChoice(options: CreateAtcOptions): { choice: BackendChoice; allowed?: readonly BackendName[] } {
  const fromEnv = readEnv(options);
  if (fromEnv !== undefined) return { choice: checkChoice('ATC_BACKEND', fromEnv) };
  if (options.backend !== undefined) return { choice: checkChoice('options.backend', options.backend) };
  if (options.useRustBackend === false) return { choice: 'js' };
  if (options.useRustBackend === true) return { choice: 'auto', allowed: RUST_BACKENDS };
  return { choice: 'auto' };
}

/**
 * The factories `'auto'` tries, highest {@link BackendFactory.priority} first: every
 * registered backend plus every shipped package that can be imported here. Shipped packages
 * that are not installed go to `missing`; ones whose import fails go to `failures`.
 */
async function autoCandidates(allowed: readonly BackendName[] | undefined, failures: BackendLoadFailure[], missing: BackendLoadFailure[]): Promise<BackendFactory[]> {
  const permitted = (name: BackendName) => allowed === undefined || allowed.includes(name);
  for (const name of KNOWN_NAMES) {
    if (!permitted(name) || factories.has(name)) continue;
    try {
      await findFactory(name);
    } catch (error) {
      (error instanceof NotInstalled ? missing : failures).push({ backend: name, error });
    }
  }
  return [...factories.values()].filter((f) => permitted(f.name)).sort((a, b) => b.priority - a.priority);
}

async function loadWith(factory: BackendFactory, options: CreateAtcOptions): Promise<Backend> {
  const own = (options.backendOptions as Record<string, unknown> | undefined)?.[factory.name];
  const backend = await factory.load(own);
  if (backend.name !== factory.name) throw new Error(`factory for ${factory.name} returned backend ${backend.name}`);
  return backend;
}

/**
 * Creates an {@link AtcEngine} on the chosen backend. Explicit choices fail loudly
 * ({@link AtcBackendError}); `'auto'` takes the first backend that loads, by priority
 * (native, wasm, js, and registered third-party backends by theirs) and, if an installed
 * backend failed on the way, reports exactly one warning naming it. `engine.backend` is
 * always the backend that really runs.
 *
 * @example
 * ```ts
 * const engine = await createAtc({ backend: 'auto' });
 * const result = engine.compute(closes);
 * console.log(engine.backend, result.toRecord().Average_Signal.at(-1));
 * ```
 */
export async function createAtc(options: CreateAtcOptions = {}): Promise<AtcEngine> {
  checkOptions(options);
  const { choice, allowed } = requestedChoice(options);
  const failures: BackendLoadFailure[] = [];
  const missing: BackendLoadFailure[] = [];
  if (choice !== 'auto') {
    try {
      return new AtcEngine(await loadWith(await findFactory(choice), options));
    } catch (error) {
      throw new AtcBackendError(`backend '${choice}' could not be loaded`, [{ backend: choice, error }]);
    }
  }
  const candidates = await autoCandidates(allowed, failures, missing);
  for (const factory of candidates) {
    try {
      const backend = await loadWith(factory, options);
      if (failures.length > 0) {
        const warn = options.onWarning ?? ((message: string) => console.warn(message));
        warn(
          `[adaptive-trend] backend 'auto' fell back to '${factory.name}': ${failures
            .map((f) => `${f.backend} failed (${describeError(f.error)})`)
            .join('; ')}`,
        );
      }
      return new AtcEngine(backend);
    } catch (error) {
      failures.push({ backend: factory.name, error });
    }
  }
  const tried = [...failures, ...missing].map((f) => f.backend);
  throw new AtcBackendError(`no backend could be loaded (tried ${tried.join(', ') || 'none: no backend is installed'})`, [...failures, ...missing]);
}
