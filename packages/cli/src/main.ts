#!/usr/bin/env node
import { formatFatal } from './errors.js';
import { runCli } from './run.js';

// `adaptive-trend compute big.csv | head`: the reader closing the pipe ends the command
// quietly, as for any Unix tool, instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

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
