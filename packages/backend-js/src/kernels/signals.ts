// Crossover signals with persistence: the state is held until the opposite cross (Pine's
// `var int sig`), 0 before the first cross. NaN comparisons are false, so warm-up never crosses.

export function crossoverSignal(p: Float64Array, m: Float64Array, out: Int8Array): void {
  const n = p.length;
  let state = 0;
  if (n > 0) out[0] = 0;
  for (let i = 1; i < n; i++) {
    const pi = p[i]!, mi = m[i]!, pp = p[i - 1]!, mp = m[i - 1]!;
    if (pi > mi && pp <= mp) state = 1;
    else if (pi < mi && pp >= mp) state = -1;
    out[i] = state;
  }
}

export function persistSignal(up: Uint8Array, down: Uint8Array, out: Int8Array): void {
  let state = 0;
  for (let i = 0; i < up.length; i++) {
    if (up[i] !== 0) state = 1;
    else if (down[i] !== 0) state = -1;
    out[i] = state;
  }
}
