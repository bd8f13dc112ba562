/**
 * `@adaptive-trend/cli`: the `adaptive-trend` command and its building blocks.
 * @packageDocumentation
 */
export { parseCloses } from './csv.js';
export { registerInstalledBackends } from './backends.js';
export { CliError, formatFatal } from './errors.js';
export { sampleSeries } from './sample.js';
export { formatLastBar, runCli } from './run.js';
