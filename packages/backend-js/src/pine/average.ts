// The script's final `Average_Signal`: Layer-1 signals cut at ±0.49, weighted by Layer 2.

/** `Cut(x)`: 1 above 0.49, −1 below −0.49, else 0 (na gives 0). Fixed in the script. */
export function pineCut(x: number): number {
  return x > 0.49 ? 1 : x < -0.49 ? -1 : 0;
}

/**
 * `Σ Cut(L1_f)·S_f / Σ S_f` over the families in order, left to right; na where the equities
 * are (before the cutout). Unlike the reference there is no 0-for-non-finite and no
 * strategy shift: the script's strategy view shifts only colours and arrows.
 */
export function pineAverageSignal(layer1: readonly Float64Array[], layer2: readonly Float64Array[], out: Float64Array): void {
  const families = layer1.length;
  for (let i = 0; i < out.length; i++) {
    let nom = pineCut(layer1[0]![i]!) * layer2[0]![i]!;
    let den = layer2[0]![i]!;
    for (let f = 1; f < families; f++) {
      const s = layer2[f]![i]!;
      nom += pineCut(layer1[f]![i]!) * s;
      den += s;
    }
    out[i] = nom / den;
  }
}
