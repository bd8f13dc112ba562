import { type AtcEngine, type CreateAtcOptions, createAtc } from '@adaptive-trend/core';
import { registerInstalledBackends } from './backends.js';
import type { InputOptions } from './options.js';

/**
 * The engine a command runs on: `--backend` when given (it wins over `ATC_BACKEND`, which core
 * would otherwise let override any choice), else `ATC_BACKEND`, else the caller's default.
 */
export async function engineFor(options: InputOptions, defaults: CreateAtcOptions): Promise<AtcEngine> {
  await registerInstalledBackends();
  return createAtc(options.backend ? { ...defaults, backend: options.backend, env: {} } : defaults);
}
