// The script's final `Average_Signal`: Layer-1 signals cut at ±0.49, weighted by Layer 2.

/** `Cut(x)`: 1 above 0.49, −1 below −0.49, else 0 (na gives 0). Fixed in the script. */
export function pineCut(x: number): number {
  return x > 0.49 ? 1 : x < -0.49 ? -1 : 0;
}

/**
 * `Σ Cut(L1_f)·S_f / Σ S_f` over the families in order, left to right; na where the equities
 * are (before the cutout). Unlike the reference there is no 0-for-non-finite and no
 * strategy shift: the script's strategy view shifts only colours and arrows.
 *
 * Returns core's growth check (`firstNonFiniteOutputBar`) from bar `from` on (Pine: the
 * cutout; before it everything is na by definition), found in this loop: the first bar whose
 * Layer-1 values are not all finite or whose equity sum (`den`, the check's order) is not, −1
 * if none. Finite Layer-1 values lie in [−1, 1]: added to a finite `den` they cannot overflow.
 *
 * @example
 * ```ts
 * const bad = pineAverageSignal(layer1Rows, layer2Rows, averageRow, config.cutout); // −1: all finite
 * ```
 */
export function pineAverageSignal(layer1: readonly Float64Array[], layer2: readonly Float64Array[], out: Float64Array, from = 0): number {
  const families = layer1.length;
  let firstNonFinite = -1;
  for (let i = 0; i < out.length; i++) {
    const l0 = layer1[0]![i]!;
    let nom = pineCut(l0) * layer2[0]![i]!;
    let den = layer2[0]![i]!;
    let l1 = l0;
    for (let f = 1; f < families; f++) {
      const s = layer2[f]![i]!;
      const l = layer1[f]![i]!;
      nom += pineCut(l) * s;
      den += s;
      l1 += l;
    }
    out[i] = nom / den;
    const total = den + l1;
    if (total - total !== 0 && firstNonFinite < 0 && i >= from) firstNonFinite = i;
  }
  return firstNonFinite;
}
