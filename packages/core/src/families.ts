/** The six moving-average families of ATC, in the reference's fixed order. */
export const FAMILIES = ['ema', 'hma', 'wma', 'dema', 'lsma', 'kama'] as const;
export type Family = (typeof FAMILIES)[number];

/** A value per family. */
export type FamilyRecord<T> = { [F in Family]: T };

/** Upper-case family names as the reference spells them in its output keys. */
export const REFERENCE_FAMILY_NAMES: FamilyRecord<string> = {
  ema: 'EMA',
  hma: 'HMA',
  wma: 'WMA',
  dema: 'DEMA',
  lsma: 'LSMA',
  kama: 'KAMA',
};

/** Moving-average kinds a backend computes; the numeric codes are the FFI encoding. */
export const MA_KINDS = ['sma', 'ema', 'wma', 'hma', 'dema', 'lsma', 'kama'] as const;
export type MaKind = (typeof MA_KINDS)[number];
export const MA_KIND_CODE: { [K in MaKind]: number } = { sma: 0, ema: 1, wma: 2, hma: 3, dema: 4, lsma: 5, kama: 6 };

/** Robustness presets: how far the nine lengths spread around the base length. */
export const ROBUSTNESS = ['Narrow', 'Medium', 'Wide'] as const;
export type Robustness = (typeof ROBUSTNESS)[number];

const OFFSETS: Record<Robustness, readonly [number, number, number, number]> = {
  Narrow: [1, 2, 3, 4],
  Medium: [1, 2, 4, 6],
  Wide: [1, 3, 5, 7],
};

/** Number of lengths (and so of MAs) per family. */
export const LENGTHS_PER_FAMILY = 9;

/**
 * The nine lengths of a family in the reference's order
 * `[L, L+o1, L+o2, L+o3, L+o4, L−o1, L−o2, L−o3, L−o4]` (reference `diflen`).
 *
 * @example
 * ```ts
 * familyLengths(28, 'Medium'); // [28, 29, 30, 32, 34, 27, 26, 24, 22]
 * ```
 */
export function familyLengths(base: number, robustness: Robustness): number[] {
  const [o1, o2, o3, o4] = OFFSETS[robustness];
  return [base, base + o1, base + o2, base + o3, base + o4, base - o1, base - o2, base - o3, base - o4];
}

/** Largest offset below the base length, i.e. how much smaller the shortest length is. */
export function largestOffset(robustness: Robustness): number {
  return OFFSETS[robustness][3];
}
