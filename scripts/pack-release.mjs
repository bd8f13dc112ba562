#!/usr/bin/env node
// Packs every publishable workspace package into release/<name>-<version>.tgz (what
// `pnpm publish` would upload, with workspace: ranges replaced by real versions).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/process.mjs';

const out = join(root, 'release');
mkdirSync(out, { recursive: true });
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  const result = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, 'packages', dir), stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log(`packed into ${out}`);
