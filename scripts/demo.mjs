#!/usr/bin/env node
// `npm run demo [-- <prices.csv>]`: set up this machine (idempotent), then run the CLI on the
// embedded synthetic sample or on the CSV given after `--`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup();
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
const { status } = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = status ?? 1;
