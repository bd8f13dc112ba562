#!/usr/bin/env node
// Builds the Node-API addon with napi-rs's CLI: `napi build --platform --release` of
// crates/atc-node, writing atc-node.<triple>.node beside packages/backend-native (where the
// loader's "local build" and the platform packages' prepack find it) and the typings
// src/atc-node.generated.ts. The toolchain (glibc-2.17 linker for linux-gnu, Debian's
// -Zbuild-std for a target rustup lacks) comes from scripts/lib/native-toolchain.mjs.
//
//   node scripts/build-native.mjs                                     this host
//   node scripts/build-native.mjs --target aarch64-unknown-linux-gnu  cross (typings not rewritten)
//   … --target-dir <dir> --output-dir <dir>                           where cargo / napi write
//   … --zig                                                           napi build -x (cargo-zigbuild: musl)
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { nativeToolchain } from './lib/native-toolchain.mjs';
import { logger, root, run } from './lib/process.mjs';

const { log, fail } = logger('build-native');
const { values } = parseArgs({
  options: { target: { type: 'string' }, 'target-dir': { type: 'string' }, 'output-dir': { type: 'string' }, zig: { type: 'boolean', default: false } },
});
const packageDir = join(root, 'packages', 'backend-native');

try {
  const toolchain = nativeToolchain(values.target);
  log(`toolchain: ${toolchain.name}`);
  const args = ['build', '--platform', '--release', '--manifest-path', join(root, 'crates', 'atc-node', 'Cargo.toml'), '--no-js'];
  const outputDir = values['output-dir'] ? resolve(values['output-dir']) : packageDir;
  args.push('--output-dir', outputDir);
  // The typings are the same for every target: only the host build writes them into src/
  // (napi writes them relative to the output dir; a cross build's go to the temp dir).
  const dts = values.target ? relative(outputDir, join(tmpdir(), `atc-node.${values.target}.d.ts`)) : 'src/atc-node.generated.ts';
  args.push('--dts', dts);
  if (values.target) args.push('--target', values.target);
  if (values['target-dir']) args.push('--target-dir', resolve(values['target-dir']));
  if (values.zig) args.push('--cross-compile'); // cargo-zigbuild (musl from a glibc host)
  if (toolchain.cargoArgs.length > 0) args.push('--', ...toolchain.cargoArgs);
  const napi = join(packageDir, 'node_modules', '.bin', process.platform === 'win32' ? 'napi.cmd' : 'napi');
  run(napi, args, { cwd: packageDir, env: toolchain.env, shell: process.platform === 'win32' });
} catch (error) {
  fail(error.message);
}
