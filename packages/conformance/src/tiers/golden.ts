// Tier b: parity with the reference on every golden fixture in ../shared, "exact modulo ties".
import { FAMILIES, type MaKind, REFERENCE_FAMILY_NAMES, fromReferenceParams } from '@adaptive-trend/core';
import { expect, it } from 'vitest';
import { findSharedDir, loadCloses, loadMaFixture, loadPipelineFixture, maFixtureNames, pipelineFixtureNames } from '../fixtures.js';
import { MAX_TIE_RATE, closeEnough, compareWithFixture, describeReport } from '../parity.js';
import type { EngineSource } from '../engine-source.js';

export function defineGoldenTests(engine: EngineSource): void {
  const shared = findSharedDir();
  if (!shared) {
    const message = 'SKIPPED: reference fixtures not found (no ../shared/golden next to the repository; set ATC_SHARED_DIR). Reference parity was NOT checked.';
    console.warn(`\n!!! ${message}\n`);
    it.skip(message, () => {});
    return;
  }

  for (const name of pipelineFixtureNames(shared)) {
    it(`pipeline ${name}`, () => {
      const fixture = loadPipelineFixture(shared, name);
      const prices = loadCloses(shared, fixture.dataset);
      expect(prices.length).toBe(fixture.barsIn);
      const config = fromReferenceParams(fixture.params);
      const result = engine().compute(prices, config, { details: true });
      const report = compareWithFixture(result, prices, fixture);
      if (report.tieEvents.length > 0 || report.unexplained.length > 0) console.log(describeReport(report));
      expect(report.unexplained, describeReport(report)).toEqual([]);
      expect(report.tieRate, describeReport(report)).toBeLessThanOrEqual(MAX_TIE_RATE);
      // fused = the backend's own kernels composed: tier e, on this same fixture, bit for bit.
    });
  }

  for (const dataset of maFixtureNames(shared)) {
    it(`all 54 moving averages on ${dataset} within 1e-9`, () => {
      const fixture = loadMaFixture(shared, dataset);
      const prices = loadCloses(shared, dataset);
      const bad: string[] = [];
      for (const family of FAMILIES) {
        for (const length of fixture.lengths) {
          const reference = fixture.series[REFERENCE_FAMILY_NAMES[family]]![String(length)]!;
          const ours = engine().movingAverage(family as MaKind, prices, length);
          let worst = 0;
          for (let i = 0; i < prices.length; i++) {
            if (!closeEnough(ours[i]!, reference[i]!)) bad.push(`${family}(${length})[${i}]: ${ours[i]} vs ${reference[i]}`);
            else if (!Number.isNaN(reference[i]!)) worst = Math.max(worst, Math.abs(ours[i]! - reference[i]!) / Math.abs(reference[i]!));
          }
          expect(worst).toBeLessThanOrEqual(1e-9);
        }
      }
      expect(bad.slice(0, 20), `${bad.length} values off`).toEqual([]);
    });
  }
}
