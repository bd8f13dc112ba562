#!/usr/bin/env node
// Puts the native binary into a per-platform package before it is packed (its `prepack`):
// packages/backend-native/atc-node.<triple>.node → packages/backend-native/npm/<triple>/, like
// napi-rs's `napi artifacts` (which CI's release job may have run already: then the folder has
// its binary and nothing beside backend-native replaces it). Run from the platform package.
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logger, root, run } from './lib/process.mjs';

const { log, fail } = logger('stage-native');
const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
const prefix = '@adaptive-trend/backend-native-';
if (!name?.startsWith(prefix)) fail(`run from a per-platform package (${prefix}<triple>), not ${name}`);
const file = `atc-node.${name.slice(prefix.length)}.node`;
const built = join(root, 'packages', 'backend-native', file);
if (!existsSync(built)) {
  if (existsSync(file)) {
    log(`${file} is already in ${name} (napi artifacts): packing it as it is`);
    process.exit(0);
  }
  // `pnpm release:dry-run` on one machine: the other platforms' binaries come from CI.
  if (process.env.npm_config_dry_run === 'true') {
    log(`dry run: ${name} has no ${file} on this machine (CI builds it); the real publish would fail here`);
    process.exit(0);
  }
  fail(`${built} is missing: build it first (pnpm --filter @adaptive-trend/backend-native build)`);
}
rmSync(file, { force: true }); // a new inode: a process that has the old binary mapped keeps it intact
copyFileSync(built, file);
// The symbol table is not needed to load or run the addon and is ~14 % of the file. Only the
// staged copy is stripped: the workspace build keeps its symbols for profiling. Windows
// binaries keep their debug info in a separate .pdb already. The host's strip only knows the
// host's format: other triples (a release job staging every runner's binary) come stripped
// from their build (CI sets CARGO_PROFILE_RELEASE_STRIP).
const host = name.slice(prefix.length).startsWith(`${process.platform}-${process.arch}`);
const STRIP = host ? { linux: ['--strip-unneeded'], darwin: ['-x'] }[process.platform] : undefined;
const before = statSync(file).size;
if (STRIP) run('strip', [...STRIP, file], { cwd: process.cwd() });
log(`${file} staged into ${name} (${before} → ${statSync(file).size} bytes${STRIP ? ', stripped' : ''})`);
