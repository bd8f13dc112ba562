import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Addon from './atc-node.generated.js';
import { GLIBC_BASELINE, platformTriple, platformTriples } from './platform.js';

/**
 * The functions the Rust addon exports, typed by napi-rs from `crates/atc-node`
 * (`atc-node.generated.ts` is written by `napi build`). All write into caller-provided `out`
 * arrays; a wrong JS type throws `TypeError`, a bad length or value `RangeError`.
 */
export type NativeBinding = typeof Addon;

/** Environment variable naming an explicit `.node` file (like the `binding` load option). */
export const BINDING_ENV = 'ATC_NATIVE_BINDING';

const require = createRequire(import.meta.url);

/** Installed from a registry (not a workspace checkout): repository commands mean nothing here. */
const INSTALLED = /[\\/]node_modules[\\/]/.test(fileURLToPath(import.meta.url));

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
        // Only a repository checkout builds here; an installed package uses its platform package.
        if (!existsSync(file)) throw new Error(`file not found${INSTALLED ? '' : ' (build it: pnpm --filter @adaptive-trend/backend-native build)'}`);
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
  const failures: { candidate: BindingCandidate; error: Error }[] = [];
  for (const candidate of candidates) {
    try {
      return candidate.load() as NativeBinding;
    } catch (error) {
      failures.push({ candidate, error: error as Error });
    }
  }
  // The first line says what to do (the 'auto' warning shows only that line); the rest lists
  // every place tried.
  const details = failures.map(({ candidate, error }) => `  - ${candidate.label}: ${error.message.split('\n')[0]}`);
  throw new Error(`native addon for ${platformTriple()} ${headline(failures, explicit ?? process.env[BINDING_ENV])}\nlooked in:\n${details.join('\n')}`);
}

/** What went wrong, in one line: the override's error, the platform package's, or what to install. */
function headline(failures: { candidate: BindingCandidate; error: Error }[], override: string | undefined): string {
  const firstLine = (error: Error) => error.message.split('\n')[0];
  if (override) {
    const error = failures[0]!.error;
    return `${isMissingModule(error, override) ? 'not found' : 'not loaded'} at ${override}: ${firstLine(error)}`;
  }
  const fromPackages = failures.filter(({ candidate }) => candidate.label.startsWith('platform package '));
  const broken = fromPackages.find(({ candidate, error }) => !isMissingModule(error, candidate.label.slice('platform package '.length)));
  // Installed but not loadable: that reason is the one — in words when it is an old glibc.
  if (broken) {
    const glibc = glibcTooOld(broken.error);
    if (glibc) return `not loaded: ${broken.candidate.label} ${glibc}`;
    return `not loaded: ${broken.candidate.label}: ${firstLine(broken.error)}`;
  }
  const names = fromPackages.map(({ candidate }) => candidate.label.slice('platform package '.length));
  return (
    `not found: ${INSTALLED ? '' : 'build it (pnpm --filter @adaptive-trend/backend-native build) or '}install ${names.join(' or ')} (an optional dependency of @adaptive-trend/backend-native: ` +
    `it is skipped by --omit=optional / --no-optional, or when the lockfile was made on another platform), ` +
    `set ${BINDING_ENV} to a .node file, or use backend 'wasm' or 'js'`
  );
}

/**
 * The glibc a `-gnu` binary was linked against is its floor: `dlopen` refuses it on an older
 * one with "version `GLIBC_2.xx' not found". Says so in words (what it needs, what this system
 * has, what works instead), or `undefined` for any other load error.
 */
export function glibcTooOld(error: Error, runtime: string | undefined = glibcRuntime()): string | undefined {
  const missing = /version `GLIBC_([\d.]+)' not found/.exec(error.message)?.[1];
  if (!missing) return undefined;
  // dlopen names the first missing version it meets, not necessarily the newest the binary needs.
  const needs = compareVersions(missing, GLIBC_BASELINE) > 0 ? missing : GLIBC_BASELINE;
  return `needs glibc ≥ ${needs}, this system has ${runtime ? `glibc ${runtime}` : 'an older one'} (use backend 'wasm', which runs everywhere)`;
}

/** This process's glibc version (`2.31`), or `undefined` off glibc. */
function glibcRuntime(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function isMissingModule(error: Error, name: string): boolean {
  return (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && error.message.includes(`'${name}'`);
}
