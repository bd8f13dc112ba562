import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { platformTriple } from './platform.js';

/** The functions the Rust addon (`crates/atc-node`) exports. All write into `out` arrays. */
export interface NativeBinding {
  version(): string;
  movingAverage(kind: number, source: Float64Array, length: number, out: Float64Array): void;
  rateOfChange(prices: Float64Array, out: Float64Array): void;
  scaledReturns(prices: Float64Array, lambdaScaled: number, out: Float64Array): void;
  crossoverSignal(prices: Float64Array, ma: Float64Array, out: Int8Array): void;
  persistSignal(up: Uint8Array, down: Uint8Array, out: Int8Array): void;
  equityCurve(returns: Float64Array, signal: Float64Array, startingEquity: number, decayMultiplier: number, cutout: number, out: Float64Array): void;
  layer1Signal(signals: Int8Array, equities: Float64Array, out: Float64Array): void;
  computeAtc(
    prices: Float64Array,
    params: Float64Array,
    out: Float64Array,
    mas: Float64Array | null,
    signals: Int8Array | null,
    equities: Float64Array | null,
  ): void;
  /**
   * Many series in one call on `threads` Rust threads (`std::thread::scope`); `outs[i]` has
   * 13·(n_i − cutout) slots. Same bits as one `computeAtc` per series.
   */
  computeAtcBatch(series: readonly Float64Array[], params: Float64Array, outs: readonly Float64Array[], threads: number): void;
  /** Test hook: panics inside the addon's guard; must surface as a JS exception. */
  __panicForTest(): void;
}

/** Environment variable naming an explicit `.node` file (napi-rs convention). */
export const BINDING_ENV = 'ATC_NATIVE_BINDING';

const require = createRequire(import.meta.url);

/** Where the binary may be, in the order they are tried. */
export function bindingCandidates(explicit?: string): { label: string; load: () => unknown }[] {
  const triple = platformTriple();
  const file = `atc-node.${triple}.node`;
  const candidates: { label: string; load: () => unknown }[] = [];
  const fromEnv = explicit ?? process.env[BINDING_ENV];
  // An explicit path is the only candidate: a wrong override must fail, not silently load another binary.
  if (fromEnv) return [{ label: `${explicit ? 'option nativeBinding' : BINDING_ENV}=${fromEnv}`, load: () => require(fromEnv) }];
  const local = fileURLToPath(new URL(`../${file}`, import.meta.url));
  candidates.push({
    label: `local build ${local}`,
    load: () => {
      if (!existsSync(local)) throw new Error('file not found (run `node scripts/build-native.mjs`)');
      return require(local);
    },
  });
  const pkg = `@adaptive-trend/backend-native-${triple}`;
  candidates.push({ label: `platform package ${pkg}`, load: () => require(pkg) });
  return candidates;
}

/** Loads the addon from the first place that has it, or throws listing every place tried. */
export function loadBinding(explicit?: string): NativeBinding {
  const errors: string[] = [];
  for (const candidate of bindingCandidates(explicit)) {
    try {
      return candidate.load() as NativeBinding;
    } catch (error) {
      errors.push(`  - ${candidate.label}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`native addon for ${platformTriple()} not found; looked in:\n${errors.join('\n')}`);
}
