#!/usr/bin/env node
// Puts the native binary into a per-platform package before it is packed (its `prepack`):
// packages/backend-native/atc-node.<triple>.node → packages/backend-native-<triple>/. This is
// napi-rs's `napi artifacts` step for this repository's layout (platform packages sit beside
// backend-native instead of in its npm/<triple>/ folder). Run from the platform package.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logger, root } from './lib/process.mjs';

const { log, fail } = logger('stage-native');
const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
const prefix = '@adaptive-trend/backend-native-';
if (!name?.startsWith(prefix)) fail(`run from a per-platform package (${prefix}<triple>), not ${name}`);
const file = `atc-node.${name.slice(prefix.length)}.node`;
const built = join(root, 'packages', 'backend-native', file);
if (!existsSync(built)) fail(`${built} is missing: build it first (pnpm --filter @adaptive-trend/backend-native build)`);
rmSync(file, { force: true }); // a new inode: a process that has the old binary mapped keeps it intact
copyFileSync(built, file);
log(`${file} staged into ${name}`);
