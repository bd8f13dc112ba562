// Native and js run the same arithmetic (docs/kernels.md): they must agree to 1e-12 relative
// on every golden fixture — in practice bit for bit. The max difference seen is printed.
import { createJsBackend } from '@adaptive-trend/backend-js';
import { findSharedDir, loadCloses, loadPipelineFixture, pipelineFixtureNames } from '@adaptive-trend/conformance';
import { AtcEngine, fromReferenceParams } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendFactory } from '../src/index.js';

const shared = findSharedDir();

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    const d = Math.abs(x - y);
    if (d > 0) worst = Math.max(worst, d / Math.max(Math.abs(x), Math.abs(y)));
  }
  return worst;
}

describe.skipIf(!shared)('native agrees with js on every fixture', () => {
  let native: AtcEngine;
  const js = new AtcEngine(createJsBackend());
  beforeAll(async () => {
    native = new AtcEngine(await backendFactory.load());
  });
  let overall = 0;
  for (const name of shared ? pipelineFixtureNames(shared) : []) {
    it(name, () => {
      const fixture = loadPipelineFixture(shared!, name);
      const prices = loadCloses(shared!, fixture.dataset);
      const config = fromReferenceParams(fixture.params);
      const a = native.compute(prices, config, { details: true });
      const b = js.compute(prices, config, { details: true });
      const ra = a.toRecord();
      const rb = b.toRecord();
      let worst = 0;
      for (const key of Object.keys(ra) as (keyof typeof ra)[]) worst = Math.max(worst, maxRelativeDifference(ra[key], rb[key]));
      for (const family of Object.keys(a.details!.movingAverages) as (keyof typeof a.details.movingAverages)[]) {
        a.details!.movingAverages[family].forEach((ma, k) => {
          worst = Math.max(worst, maxRelativeDifference(ma, b.details!.movingAverages[family][k]!));
          expect(a.details!.maSignals[family][k]).toEqual(b.details!.maSignals[family][k]);
        });
      }
      overall = Math.max(overall, worst);
      console.log(`${name}: max relative difference native vs js = ${worst} (running max ${overall})`);
      expect(worst).toBeLessThanOrEqual(1e-12);
    });
  }
});
