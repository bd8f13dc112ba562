// "Exact modulo ties" (atc-spec §11): compare a backend's result with a reference fixture,
// excusing only genuine ties, which are detected here from the backend's own MAs.
import { type AtcResult, FAMILIES, type Family, REFERENCE_FAMILY_NAMES } from '@adaptive-trend/core';
import type { PipelineFixture } from './fixtures.js';

/** Relative tolerance of the continuous outputs, and of the tie detector. */
export const PARITY_TOLERANCE = 1e-9;
/** Tie events may not exceed this fraction of a fixture's bars. */
export const MAX_TIE_RATE = 0.005;

/** Equal within `tolerance` relative (with a 1e-12 absolute floor near 0), NaN equal to NaN. */
export function closeEnough(a: number, b: number, tolerance = PARITY_TOLERANCE): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  const diff = Math.abs(a - b);
  return diff <= tolerance * Math.max(Math.abs(a), Math.abs(b)) || diff <= 1e-12;
}

/** A bar where a decision hinged on a tie, and the run of differing bars it explains. */
export interface TieEvent {
  readonly kind: 'crossover' | 'rounding';
  readonly family: Family;
  /** The MA length (crossover ties) or undefined (Layer-1 rounding ties). */
  readonly length: number | undefined;
  readonly bar: number;
  /** Last bar of the differing run. */
  readonly until: number;
  /** |p − m| / |p| at the tie (crossover) or distance to the rounding boundary (rounding). */
  readonly gap: number;
}

/** A difference no tie explains: a bug. */
export interface Mismatch {
  readonly series: string;
  readonly bar: number;
  readonly ours: number;
  readonly reference: number;
}

export interface ParityReport {
  readonly fixture: string;
  readonly bars: number;
  readonly tieEvents: TieEvent[];
  /** Bars that differ but are excused by a tie, per series. */
  readonly excused: Record<string, number[]>;
  readonly unexplained: Mismatch[];
  /** Tie events / bars. */
  readonly tieRate: number;
}

const SIGNAL_CODE: Record<string, number> = { '+': 1, '-': -1, '0': 0 };

function isTie(prices: Float64Array, ma: Float64Array, bar: number): number | undefined {
  if (bar < 0) return undefined;
  const p = prices[bar]!;
  const gap = Math.abs(p - ma[bar]!) / Math.abs(p);
  return gap <= PARITY_TOLERANCE ? gap : undefined;
}

/** Unrounded Layer-1 quotient of one family at one bar, from the per-MA details. */
function unroundedLayer1(result: AtcResult, family: Family, bar: number): number {
  const details = result.details!;
  let num = 0.0;
  let den = 0.0;
  details.maSignals[family].forEach((signal, k) => {
    const e = details.maEquities[family][k]![bar]!;
    num += signal[bar]! * e;
    den += e;
  });
  return num / den;
}

/**
 * Compares a result (computed with `details: true` on `prices`, the full input series) with a
 * pipeline fixture. Every per-MA signal must match except runs that start at a crossover tie;
 * the 13 outputs must match within 1e-9 except where a tie explains the difference (from the
 * tie on, for that family and Average_Signal; one bar for a Layer-1 rounding tie).
 */
export function compareWithFixture(result: AtcResult, prices: Float64Array, fixture: PipelineFixture): ParityReport {
  const details = result.details;
  if (!details) throw new Error('compareWithFixture needs a result computed with { details: true }');
  const m = result.length;
  const p = prices.subarray(prices.length - m);
  const tieEvents: TieEvent[] = [];
  const excused: Record<string, number[]> = {};
  const unexplained: Mismatch[] = [];
  const excuse = (series: string, bar: number) => (excused[series] ??= []).push(bar);
  const firstTie = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as Record<Family, number>;

  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    details.lengths[family].forEach((length, k) => {
      const series = `${name}[${length}] signal`;
      const reference = fixture.maSignals[name]?.[String(length)];
      const ours = details.maSignals[family][k]!;
      const ma = details.movingAverages[family][k]!;
      if (reference === undefined || reference.length !== m) {
        unexplained.push({ series, bar: -1, ours: m, reference: reference?.length ?? NaN });
        return;
      }
      for (let i = 0; i < m; ) {
        if (ours[i] === SIGNAL_CODE[reference[i]!]) {
          i++;
          continue;
        }
        const start = i;
        while (i < m && ours[i] !== SIGNAL_CODE[reference[i]!]) i++;
        const gap = isTie(p, ma, start) ?? isTie(p, ma, start - 1);
        if (gap === undefined) {
          unexplained.push({ series, bar: start, ours: ours[start]!, reference: SIGNAL_CODE[reference[start]!]! });
          continue;
        }
        tieEvents.push({ kind: 'crossover', family, length, bar: start, until: i - 1, gap });
        firstTie[family] = Math.min(firstTie[family], start);
        for (let b = start; b < i; b++) excuse(series, b);
      }
    });
  }

  const firstRounding = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as Record<Family, number>;
  const compareSeries = (label: string, ours: Float64Array, reference: Float64Array | undefined, excusedFrom: (bar: number) => boolean, roundingFamily?: Family) => {
    if (!reference || reference.length !== m) {
      unexplained.push({ series: label, bar: -1, ours: m, reference: reference?.length ?? NaN });
      return;
    }
    for (let i = 0; i < m; i++) {
      const a = ours[i]!;
      const b = reference[i]!;
      if (closeEnough(a, b)) continue;
      if (excusedFrom(i)) {
        excuse(label, i);
        continue;
      }
      if (roundingFamily && closeEnough(Math.abs(a - b), 0.01)) {
        const q = unroundedLayer1(result, roundingFamily, i) * 100;
        const gap = Math.abs(q - Math.floor(q) - 0.5) / 100;
        if (gap <= PARITY_TOLERANCE) {
          tieEvents.push({ kind: 'rounding', family: roundingFamily, length: undefined, bar: i, until: i, gap });
          firstRounding[roundingFamily] = Math.min(firstRounding[roundingFamily], i);
          excuse(label, i);
          continue;
        }
      }
      unexplained.push({ series: label, bar: i, ours: a, reference: b });
    }
  };

  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    compareSeries(`${name}_Signal`, result.signals[family], fixture.outputs[`${name}_Signal`], (i) => i >= firstTie[family], family);
  }
  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    const from = Math.min(firstTie[family], firstRounding[family] + 1);
    compareSeries(`${name}_S`, result.equities[family], fixture.outputs[`${name}_S`], (i) => i >= from);
  }
  const averageFrom = Math.min(...FAMILIES.map((f) => Math.min(firstTie[f], firstRounding[f])));
  compareSeries('Average_Signal', result.averageSignal, fixture.outputs.Average_Signal, (i) => i >= averageFrom);

  return { fixture: fixture.name, bars: m, tieEvents, excused, unexplained, tieRate: tieEvents.length / m };
}

/** Contiguous ranges of sorted bar numbers, e.g. "12–15, 20". */
function ranges(bars: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < bars.length; ) {
    let j = i;
    while (j + 1 < bars.length && bars[j + 1] === bars[j]! + 1) j++;
    parts.push(i === j ? `${bars[i]}` : `${bars[i]}–${bars[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Human-readable account of a report: every tie event and every excused bar. */
export function describeReport(report: ParityReport): string {
  const lines = [`${report.fixture}: ${report.bars} bars, ${report.tieEvents.length} tie events (${(report.tieRate * 100).toFixed(3)}%), ${report.unexplained.length} unexplained`];
  for (const t of report.tieEvents) {
    const what = t.kind === 'crossover' ? `${REFERENCE_FAMILY_NAMES[t.family]}[${t.length}] crossover tie` : `${REFERENCE_FAMILY_NAMES[t.family]}_Signal rounding tie`;
    lines.push(`  tie: ${what} at bar ${t.bar}${t.until > t.bar ? ` (differs until ${t.until})` : ''}, gap ${t.gap.toExponential(2)}`);
  }
  for (const [series, bars] of Object.entries(report.excused)) lines.push(`  excused ${series}: ${bars.length} bars: ${ranges(bars)}`);
  for (const u of report.unexplained.slice(0, 20)) lines.push(`  MISMATCH ${u.series} bar ${u.bar}: ours ${u.ours}, reference ${u.reference}`);
  if (report.unexplained.length > 20) lines.push(`  … ${report.unexplained.length - 20} more mismatches`);
  return lines.join('\n');
}
