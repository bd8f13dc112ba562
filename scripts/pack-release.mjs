#!/usr/bin/env node
// Packs every publishable workspace package into release/<name>-<version>.tgz (what
// `pnpm publish` would upload, with workspace: ranges replaced by real versions): packages/*
// and the native platform packages (packages/backend-native/npm/<triple>) whose binary this
// machine has — the others are built by CI's runners.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nativePlatformPackages } from './lib/native-packages.mjs';
import { root } from './lib/process.mjs';

const out = join(root, 'release');
mkdirSync(out, { recursive: true });
const platforms = nativePlatformPackages();
for (const { name } of platforms.filter((p) => !p.hasBinary)) console.log(`skipped ${name}: no binary on this machine (CI builds it)`);
const dirs = [...readdirSync(join(root, 'packages')), ...platforms.filter((p) => p.hasBinary).map((p) => p.dir)];
for (const dir of dirs) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  const result = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, 'packages', dir), stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log(`packed into ${out}`);
