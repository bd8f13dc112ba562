#!/usr/bin/env node
import { formatFatal } from './errors.js';
import { runCli } from './run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { line, exitCode } = formatFatal(error);
    console.error(line);
    process.exitCode = exitCode;
  },
);
