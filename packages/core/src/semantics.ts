// Which arithmetic a computation follows: the Python reference's (the default) or the original
// TradingView Pine script's. The choice changes the output length too (Pine does not slice off
// the cutout), so core decides that here, in one place, for engine, batch and result.
import type { Backend } from './backend.js';
import { AtcInputError } from './errors.js';

/**
 * - `'reference'`: the Python reference (`compute_atc_signals`), the golden/pipeline fixtures;
 *   outputs start at the cutout bar (`n − cutout` bars).
 * - `'pine'`: the original TradingView indicator, as its chart shows it (its "HMA" family is an
 *   SMA, KAMA from 0, TradingView's DEMA and `ta.linreg`, the persistent `a` of its equity, Cut
 *   at ±0.49, …; docs/kernels.md); outputs are full length (`n` bars), NaN where Pine has na.
 */
export const SEMANTICS = ['reference', 'pine'] as const;
export type Semantics = (typeof SEMANTICS)[number];

export function requireSemantics(value: unknown): Semantics {
  if (!(SEMANTICS as readonly unknown[]).includes(value)) {
    throw new AtcInputError('INVALID_SEMANTICS', 'config.semantics', `must be one of ${SEMANTICS.join(', ')}, got ${String(value)}`);
  }
  return value as Semantics;
}

/**
 * Output bars of a series of `n` bars: `n − cutout` for the reference (it slices the cutout
 * off), `n` for Pine (na before the cutout).
 *
 * @example
 * ```ts
 * outputBars({ semantics: 'pine', cutout: 100 }, 1500); // 1500
 * ```
 */
export function outputBars(config: { readonly semantics: Semantics; readonly cutout: number }, n: number): number {
  return config.semantics === 'pine' ? n : n - config.cutout;
}

/** Input bar of output bar 0 (the reference's outputs start at the cutout bar, Pine's at bar 0). */
export function firstInputBar(config: { readonly semantics: Semantics; readonly cutout: number }): number {
  return config.semantics === 'pine' ? 0 : config.cutout;
}

/**
 * Refuses, before dispatch, a computation whose semantics the backend does not implement
 * (a third-party backend: every shipped one implements both), naming the backend.
 */
export function requireBackendSemantics(backend: Backend, semantics: Semantics): void {
  // A backend built before `semantics` existed computes the reference.
  const implemented: readonly Semantics[] = backend.semantics ?? ['reference'];
  if (implemented.includes(semantics)) return;
  throw new AtcInputError(
    'UNSUPPORTED_SEMANTICS',
    'config.semantics',
    `backend '${backend.name}' does not implement semantics '${semantics}' (it implements: ${implemented.join(', ') || 'none'}); ` +
      "the shipped backends (native, wasm, js) implement every semantics: createAtc({ backend: 'auto' })",
  );
}
