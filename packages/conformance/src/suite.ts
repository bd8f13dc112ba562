import { AtcEngine, type Backend, type BackendName } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineBadInputTests } from './tiers/bad-input.js';
import { defineBatchTests } from './tiers/batch.js';
import { defineGoldenTests } from './tiers/golden.js';
import { definePropertyTests } from './tiers/properties.js';
import { defineVectorTests } from './tiers/vectors.js';

/** What a backend package passes to {@link defineConformanceSuite}. */
export interface ConformanceOptions {
  /** The backend's name; `engine.backend` must report exactly this. */
  readonly name: BackendName;
  /** Loads the backend under test (e.g. `backendFactory.load`). */
  readonly load: () => Promise<Backend>;
  /** fast-check runs per property (default 60). */
  readonly propertyRuns?: number;
}

/** Lazily created engine shared by the tiers of one suite. */
export type EngineSource = () => AtcEngine;

/**
 * Defines the whole conformance suite (vitest) for one backend: (a) hand-checked vectors,
 * (b) reference parity on every golden fixture (skipped loudly without `../shared`),
 * (c) property-based invariants, (d) the bad-input contract.
 *
 * @example
 * ```ts
 * // packages/backend-foo/test/conformance.test.ts
 * import { defineConformanceSuite } from '@adaptive-trend/conformance';
 * import { backendFactory } from '@adaptive-trend/backend-foo';
 * defineConformanceSuite({ name: 'foo', load: () => backendFactory.load() });
 * ```
 */
export function defineConformanceSuite(options: ConformanceOptions): void {
  let engine: AtcEngine | undefined;
  const getEngine: EngineSource = () => {
    if (!engine) throw new Error('backend not loaded');
    return engine;
  };
  describe(`conformance: ${options.name} backend`, () => {
    beforeAll(async () => {
      engine = new AtcEngine(await options.load());
    });
    it('reports the backend that runs', () => {
      expect(getEngine().backend).toBe(options.name);
    });
    describe('tier a: hand-checked vectors', () => defineVectorTests(getEngine));
    describe('tier b: reference parity (golden fixtures)', () => defineGoldenTests(getEngine));
    describe('tier c: invariants (property tests)', () => definePropertyTests(getEngine, options.propertyRuns ?? 60));
    describe('tier d: bad-input contract', () => defineBadInputTests(getEngine));
    describe('batch API', () => defineBatchTests(getEngine));
  });
}
