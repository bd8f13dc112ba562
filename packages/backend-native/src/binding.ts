import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Addon from './atc-node.generated.js';
import { platformTriple, platformTriples } from './platform.js';

/**
 * The functions the Rust addon exports, typed by napi-rs from `crates/atc-node`
 * (`atc-node.generated.ts` is written by `napi build`). All write into caller-provided `out`
 * arrays; a wrong JS type throws `TypeError`, a bad length or value `RangeError`.
 */
export type NativeBinding = typeof Addon;

/** Environment variable naming an explicit `.node` file (like the `binding` load option). */
export const BINDING_ENV = 'ATC_NATIVE_BINDING';

const require = createRequire(import.meta.url);

/** One place the addon may be. */
export interface BindingCandidate {
  label: string;
  load: () => unknown;
}

/**
 * Where the binary may be, in the order they are tried: an explicit path (the `binding` option,
 * else `ATC_NATIVE_BINDING`) is the only candidate when given — a wrong override must fail,
 * not silently load another binary; otherwise the local build beside this package, then the
 * per-platform package, for each of napi-rs's triples of this host.
 */
export function bindingCandidates(explicit?: string): BindingCandidate[] {
  const fromEnv = process.env[BINDING_ENV];
  if (explicit) return [{ label: `option binding=${explicit}`, load: () => require(explicit) }];
  if (fromEnv) return [{ label: `${BINDING_ENV}=${fromEnv}`, load: () => require(fromEnv) }];
  const triples = platformTriples();
  const local = triples.map((triple): BindingCandidate => {
    const file = fileURLToPath(new URL(`../atc-node.${triple}.node`, import.meta.url));
    return {
      label: `local build ${file}`,
      load: () => {
        if (!existsSync(file)) throw new Error('file not found (build it: pnpm --filter @adaptive-trend/backend-native build)');
        return require(file);
      },
    };
  });
  const packages = triples.map((triple): BindingCandidate => {
    const name = `@adaptive-trend/backend-native-${triple}`;
    return { label: `platform package ${name}`, load: () => require(name) };
  });
  return [...local, ...packages];
}

/** Loads the addon from the first place that has it, or throws listing every place tried. */
export function loadBinding(explicit?: string): NativeBinding {
  const candidates = bindingCandidates(explicit);
  if (candidates.length === 0) throw new Error(`native addon for ${platformTriple()} not found: napi-rs builds no binary for this platform`);
  const errors: string[] = [];
  for (const candidate of candidates) {
    try {
      return candidate.load() as NativeBinding;
    } catch (error) {
      errors.push(`  - ${candidate.label}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`native addon for ${platformTriple()} not found; looked in:\n${errors.join('\n')}`);
}
