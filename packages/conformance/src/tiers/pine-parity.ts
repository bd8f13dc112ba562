// The Pine tier's comparison (issue 12): a result computed with `semantics: 'pine'` against a
// `../shared/golden/pine` fixture, within 1e-9 relative with the na pattern identical,
// excusing crossover ties (|close − MA| ≤ 1e-9·close) the way the reference tier does
// (../parity.ts: from the tie on, for that family and Average_Signal; Layer-1 rounding ties
// for one bar), and then proving each excuse by replaying the ties decided the other way.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, type Family, type FamilyRecord, REFERENCE_FAMILY_NAMES, type ReferenceParams } from '@adaptive-trend/core';
import { pine } from '@adaptive-trend/backend-js';
import { PARITY_TOLERANCE, closeEnough } from '../parity.js';

const { pineAverageSignal, pineEquity, pineLayer1, pineScaledReturns } = pine;


/** What the comparison reads of a result (an `AtcResult` computed with `details: true`). */
export interface PineLikeResult {
  readonly signals: FamilyRecord<Float64Array>;
  readonly equities: FamilyRecord<Float64Array>;
  readonly averageSignal: Float64Array;
  readonly details?: {
    readonly movingAverages: FamilyRecord<readonly Float64Array[]>;
    readonly maSignals: FamilyRecord<readonly Int8Array[]>;
    readonly maEquities: FamilyRecord<readonly Float64Array[]>;
  } | undefined;
}

/** The parts of the resolved config the comparison needs. */
export interface PineParityConfig {
  readonly lengths: FamilyRecord<readonly number[]>;
  readonly weights: FamilyRecord<number>;
  readonly lambda: number;
  readonly decay: number;
  readonly cutout: number;
}

/** One `golden/pine/<dataset>__<variant>.json`: params by the script's input names, outputs full length. */
export interface PineFixture {
  readonly name: string;
  readonly dataset: string;
  readonly params: ReferenceParams;
  readonly barsIn: number;
  readonly outputs: Record<string, Float64Array>;
}

export function pineFixtureNames(sharedDir: string): string[] {
  try {
    return readdirSync(join(sharedDir, 'golden', 'pine')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

export function loadPineFixture(sharedDir: string, name: string): PineFixture {
  const raw = JSON.parse(readFileSync(join(sharedDir, 'golden', 'pine', `${name}.json`), 'utf8'));
  const outputs: Record<string, Float64Array> = {};
  for (const [key, values] of Object.entries(raw.outputs as Record<string, (number | null)[]>)) outputs[key] = Float64Array.from(values, (v) => (v === null ? NaN : v));
  return { name, dataset: raw.dataset, params: raw.params, barsIn: raw.bars_in, outputs };
}

// ---- comparison, modulo ties ------------------------------------------------------------------

const relativeError = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

interface Tie { kind: 'crossover' | 'rounding'; family: Family; length?: number; bar: number; firstDiff: number; gap: number }

/** Bars where `close` and one of the family's MAs are within 1e-9 relative: the crossover there is a coin toss. */
function crossoverTies(close: Float64Array, result: PineLikeResult, family: Family, lengths: readonly number[]): { bar: number; length: number; gap: number }[] {
  const ties: { bar: number; length: number; gap: number }[] = [];
  result.details!.movingAverages[family].forEach((ma, k) => {
    for (let i = 0; i < close.length; i++) {
      const gap = Math.abs(close[i]! - ma[i]!) / Math.abs(close[i]!);
      if (gap <= PARITY_TOLERANCE) ties.push({ bar: i, length: lengths[k]!, gap });
    }
  });
  return ties.sort((a, b) => a.bar - b.bar);
}

/** Unrounded Layer-1 quotient of a family at a bar (rounding-tie check). */
function unroundedLayer1(result: PineLikeResult, family: Family, bar: number): number {
  let num = 0.0, den = 0.0;
  result.details!.maSignals[family].forEach((s, k) => {
    const e = result.details!.maEquities[family][k]![bar]!;
    num += s[bar]! * e;
    den += e;
  });
  return num / den;
}

export interface PineReport { fixture: string; bars: number; ties: Tie[]; excused: Record<string, number>; unexplained: string[]; naMismatches: string[]; maxRelError: Record<string, number> }

export function comparePine(fixture: PineFixture, close: Float64Array, config: PineParityConfig, result: PineLikeResult): PineReport {
  const n = close.length;
  const ties: Tie[] = [];
  const excused: Record<string, number> = {};
  const unexplained: string[] = [];
  const naMismatches: string[] = [];
  const maxRelError: Record<string, number> = {};
  const tiesOf = Object.fromEntries(FAMILIES.map((f) => [f, crossoverTies(close, result, f, config.lengths[f])])) as FamilyRecord<ReturnType<typeof crossoverTies>>;
  const crossoverFrom = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as FamilyRecord<number>;
  const roundingFrom = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as FamilyRecord<number>;

  const compareSeries = (label: string, ours: Float64Array, theirs: Float64Array | undefined, excusedFrom: (bar: number) => boolean, family?: Family) => {
    if (!theirs || theirs.length !== n) return void unexplained.push(`${label}: length ${theirs?.length} ≠ ${n}`);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const a = ours[i]!, b = theirs[i]!;
      if (Number.isNaN(a) !== Number.isNaN(b)) {
        naMismatches.push(`${label} bar ${i}: ours ${a}, fixture ${b}`); // never excused: ties do not move na
        continue;
      }
      if (closeEnough(a, b)) {
        if (!Number.isNaN(a)) worst = Math.max(worst, relativeError(a, b));
        continue;
      }
      if (excusedFrom(i)) {
        excused[label] = (excused[label] ?? 0) + 1;
        continue;
      }
      if (family) {
        // A Layer-1 value one step (0.01) away, with the unrounded quotient on a .5 boundary.
        if (closeEnough(Math.abs(a - b), 0.01)) {
          const q = unroundedLayer1(result, family, i) * 100;
          const gap = Math.abs(Math.abs(q - Math.trunc(q)) - 0.5) / 100;
          if (gap <= PARITY_TOLERANCE) {
            ties.push({ kind: 'rounding', family, bar: i, firstDiff: i, gap });
            roundingFrom[family] = Math.min(roundingFrom[family], i);
            excused[label] = (excused[label] ?? 0) + 1;
            continue;
          }
        }
        // The latest crossover tie of this family at or before the first difference.
        const tie = tiesOf[family].filter((t) => t.bar <= i).at(-1);
        if (tie && crossoverFrom[family] === Infinity) {
          ties.push({ kind: 'crossover', family, length: tie.length, bar: tie.bar, firstDiff: i, gap: tie.gap });
          crossoverFrom[family] = i;
          excused[label] = (excused[label] ?? 0) + 1;
          continue;
        }
      }
      unexplained.push(`${label} bar ${i}: ours ${a}, fixture ${b}`);
    }
    maxRelError[label] = worst;
  };

  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    compareSeries(`${name}_Signal`, result.signals[family], fixture.outputs[`${name}_Signal`], (i) => i >= crossoverFrom[family], family);
  }
  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    compareSeries(`${name}_S`, result.equities[family], fixture.outputs[`${name}_S`], (i) => i >= Math.min(crossoverFrom[family], roundingFrom[family] + 1));
  }
  const averageFrom = Math.min(...FAMILIES.map((f) => Math.min(crossoverFrom[f], roundingFrom[f])));
  compareSeries('Average_Signal', result.averageSignal, fixture.outputs.Average_Signal, (i) => i >= averageFrom);
  return { fixture: fixture.name, bars: n, ties, excused, unexplained, naMismatches, maxRelError };
}

export function describePineReport(r: PineReport): string {
  const worst = Math.max(...Object.values(r.maxRelError));
  const lines = [`${r.fixture}: ${r.bars} bars, max rel error ${worst.toExponential(2)}, ${r.ties.length} tie events, ${r.unexplained.length} unexplained, ${r.naMismatches.length} na mismatches`];
  for (const t of r.ties) {
    const what = t.kind === 'crossover' ? `${REFERENCE_FAMILY_NAMES[t.family]}[${t.length}] crossover tie at bar ${t.bar}, first difference at ${t.firstDiff}` : `${REFERENCE_FAMILY_NAMES[t.family]}_Signal rounding tie at bar ${t.bar}`;
    lines.push(`  tie: ${what}, gap ${t.gap.toExponential(2)}`);
  }
  for (const [series, count] of Object.entries(r.excused)) lines.push(`  excused ${series}: ${count} bars`);
  for (const u of [...r.naMismatches, ...r.unexplained].slice(0, 12)) lines.push(`  MISMATCH ${u}`);
  return lines.join('\n');
}

// ---- replay: each tie decided the other way reproduces the fixture ---------------------------
// Stronger than excusing everything after a tie: at the first difference, flip the crossover
// decision at one of the family's ties (the MA's value there moved to the other side of, or
// onto, the price) and recompute; keep the flip if it moves the first difference later. When
// no difference is left, every excused bar is proven to be the tie's doing.

export interface PineFlip { family: Family; length: number; bar: number; gap: number; firstDiff: number }

function firstDifference(ours: Float64Array, theirs: Float64Array): number {
  for (let i = 0; i < ours.length; i++) if (!closeEnough(ours[i]!, theirs[i]!)) return i;
  return Infinity;
}

/**
 * `crossoverSignal` is the backend under test's kernel (the crossover rule is shared by both
 * semantics); the equity, Layer-1 and average steps are backend-js's Pine kernels.
 */
export function replayPineTies(
  fixture: PineFixture, close: Float64Array, config: PineParityConfig, result: PineLikeResult,
  crossoverSignal: (prices: Float64Array, ma: Float64Array, out: Int8Array) => void,
): { flips: PineFlip[]; left: string[] } {
  const n = close.length;
  const details = result.details!;
  const r = new Float64Array(n);
  pineScaledReturns(close, config.lambda / 1000, config.cutout, r);
  const d = 1 - config.decay / 100;
  const signals = Object.fromEntries(FAMILIES.map((f) => [f, details.maSignals[f].map((s) => s.slice())])) as FamilyRecord<Int8Array[]>;
  const equities = Object.fromEntries(FAMILIES.map((f) => [f, details.maEquities[f].map((e) => e.slice())])) as FamilyRecord<Float64Array[]>;
  const mas = Object.fromEntries(FAMILIES.map((f) => [f, details.movingAverages[f].map((m) => m.slice())])) as FamilyRecord<Float64Array[]>;
  const layer1 = { ...result.signals }, layer2 = { ...result.equities };
  const family = (f: Family) => {
    const rows = signals[f].length;
    const packedS = new Int8Array(rows * n), packedE = new Float64Array(rows * n);
    signals[f].forEach((s, k) => { packedS.set(s, k * n); packedE.set(equities[f][k]!, k * n); });
    const l1 = new Float64Array(n), l2 = new Float64Array(n);
    pineLayer1(packedS, packedE, l1);
    pineEquity(r, l1, config.weights[f], d, config.cutout, l2);
    return { l1, l2 };
  };
  const familyDiff = (f: Family, l1: Float64Array, l2: Float64Array) => {
    const name = REFERENCE_FAMILY_NAMES[f];
    return Math.min(firstDifference(l1, fixture.outputs[`${name}_Signal`]!), firstDifference(l2, fixture.outputs[`${name}_S`]!));
  };
  type TieAt = ReturnType<typeof crossoverTies>[number];
  /** The family recomputed with each tie's MA value moved to `moved` (on top of the flips kept so far). */
  const attempt = (f: Family, moves: { tie: TieAt; moved: number }[]) => {
    const changed = new Map<number, Float64Array>();
    for (const { tie, moved } of moves) {
      const k = config.lengths[f].indexOf(tie.length);
      if (!changed.has(k)) changed.set(k, mas[f][k]!.slice());
      changed.get(k)![tie.bar] = moved;
    }
    const kept = [...changed.keys()].map((k) => [k, signals[f][k]!, equities[f][k]!] as const);
    const newSignals = [...changed].map(([k, ma]) => {
      const signal = new Int8Array(n);
      crossoverSignal(close, ma, signal);
      return signal;
    });
    if (newSignals.every((signal, j) => signal.every((v, i) => v === kept[j]![1][i]))) return undefined; // decides nothing differently
    const rows = [...changed].map(([k, ma], j) => {
      const signal = newSignals[j]!;
      const equity = new Float64Array(n);
      pineEquity(r, signal, 1, d, config.cutout, equity);
      signals[f][k] = signal; equities[f][k] = equity;
      return { k, ma, signal, equity };
    });
    const { l1, l2 } = family(f);
    for (const [k, s, e] of kept) { signals[f][k] = s; equities[f][k] = e; }
    return { rows, l1, l2, diff: familyDiff(f, l1, l2), moves };
  };
  /** The three orders a tie can take: the MA on, just above or just below the price. */
  const orders = (tie: TieAt) => { const p = close[tie.bar]!; return [p, p * (1 + 2 ** -52), p * (1 - 2 ** -52)]; };
  /** Every way of deciding the given ties (several MAs can tie on the same flat bars). */
  const jointly = (ties: TieAt[]): { tie: TieAt; moved: number }[][] => ties.reduce<{ tie: TieAt; moved: number }[][]>(
    (acc, tie) => acc.flatMap((moves) => [moves, ...orders(tie).map((moved) => [...moves, { tie, moved }])]), [[]]).filter((m) => m.length > 0);

  const flips: PineFlip[] = [];
  const left: string[] = [];
  for (const f of FAMILIES) {
    let diff = familyDiff(f, layer1[f], layer2[f]);
    const ties = crossoverTies(close, result, f, config.lengths[f]);
    while (diff < Infinity) {
      const singles = ties.filter((t) => t.bar <= diff).reverse().slice(0, 12).flatMap((tie) => orders(tie).map((moved) => [{ tie, moved }]));
      const near = ties.filter((t) => t.bar >= diff - 1 && t.bar <= diff).slice(0, 5);
      let best: ReturnType<typeof attempt>;
      for (const moves of [singles, jointly(near)]) {
        for (const m of moves) {
          const a = attempt(f, m);
          if (a && a.diff > diff && (!best || a.diff > best.diff || (a.diff === best.diff && a.moves.length < best.moves.length))) best = a;
        }
        if (best) break; // joint decisions only when no single one explains the difference
      }
      if (!best) {
        left.push(`${REFERENCE_FAMILY_NAMES[f]} first differs at bar ${diff} and no tie decided otherwise fixes it`);
        break;
      }
      for (const row of best.rows) { mas[f][row.k] = row.ma; signals[f][row.k] = row.signal; equities[f][row.k] = row.equity; }
      layer1[f] = best.l1; layer2[f] = best.l2;
      for (const { tie } of best.moves) flips.push({ family: f, length: tie.length, bar: tie.bar, gap: tie.gap, firstDiff: diff });
      diff = best.diff;
    }
  }
  const average = new Float64Array(n);
  pineAverageSignal(FAMILIES.map((f) => layer1[f]), FAMILIES.map((f) => layer2[f]), average);
  const avgDiff = firstDifference(average, fixture.outputs.Average_Signal!);
  if (avgDiff < Infinity) left.push(`Average_Signal differs at bar ${avgDiff} after the flips`);
  return { flips, left };
}
