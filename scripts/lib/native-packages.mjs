// The native addon's per-platform packages, napi-rs's layout: packages/backend-native/npm/<triple>/
// (made by `napi create-npm-dirs` from `napi.targets`), each shipping `atc-node.<triple>.node`.
// A binary is built beside backend-native (`napi build --platform --output-dir .`, by this
// machine or by a CI runner whose artifact was put there) and copied in by the package's
// `prepack` (scripts/stage-native.mjs) — or put into the folder directly by `napi artifacts`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './process.mjs';

export const NATIVE_DIR = join(root, 'packages', 'backend-native');
const NPM_DIR = join(NATIVE_DIR, 'npm');

/**
 * Every platform package: `{ triple, name, dir, binary, hasBinary }`, where `dir` is relative to
 * packages/ (as the release scripts and packaging tests name packages) and `hasBinary` says
 * whether its `.node` file exists, built beside backend-native or already in the folder.
 */
export function nativePlatformPackages() {
  return readdirSync(NPM_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(NPM_DIR, entry.name, 'package.json')))
    .map(({ name: triple }) => {
      const manifest = JSON.parse(readFileSync(join(NPM_DIR, triple, 'package.json'), 'utf8'));
      const binary = `atc-node.${triple}.node`;
      const hasBinary = existsSync(join(NATIVE_DIR, binary)) || existsSync(join(NPM_DIR, triple, binary));
      return { triple, name: manifest.name, dir: `backend-native/npm/${triple}`, binary, hasBinary };
    });
}

/**
 * The platform packages that can be packed on this machine now (their binary exists), as dirs
 * relative to packages/, e.g. `['backend-native/npm/linux-x64-gnu', 'backend-native/npm/linux-arm64-gnu']`
 * after `npm run build` and `npm run test:arm64`. The rest come from CI runners.
 */
export function packablePlatformPackageDirs() {
  return nativePlatformPackages()
    .filter((p) => p.hasBinary)
    .map((p) => p.dir);
}
