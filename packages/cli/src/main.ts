#!/usr/bin/env node
import { AtcError } from '@adaptive-trend/core';
import { runCli } from './run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof AtcError ? `error: ${error.message}` : error);
    process.exitCode = 1;
  },
);
