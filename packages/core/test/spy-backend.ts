// A backend that must never be reached: every kernel, computeAtc and computeAtcBatch records
// the call and throws. Bad-input tests run against it, so a passing test proves core rejected
// the input itself, before dispatching anything to a backend.
import type { Backend } from '../src/index.js';

export interface SpyBackend extends Backend {
  /** Names of the methods that were called (should stay empty). */
  readonly calls: string[];
}

export function createSpyBackend(): SpyBackend {
  const calls: string[] = [];
  const never = (method: string) => () => {
    calls.push(method);
    throw new Error(`backend.${method} was called: core dispatched an input it should have rejected`);
  };
  return {
    name: 'spy',
    calls,
    movingAverage: never('movingAverage'),
    rateOfChange: never('rateOfChange'),
    scaledReturns: never('scaledReturns'),
    crossoverSignal: never('crossoverSignal'),
    persistSignal: never('persistSignal'),
    equityCurve: never('equityCurve'),
    layer1Signal: never('layer1Signal'),
    computeAtc: never('computeAtc'),
    computeAtcBatch: never('computeAtcBatch'),
  };
}
