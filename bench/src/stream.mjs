// Streaming rows of `pnpm bench` (issue 13's targets), on real closes from ../shared/data:
// one `push` and one `replaceLast` against the fused pipeline's cost per bar (target ≤ 5×),
// `pushMany` of 1,500 bars against `compute` on the same bars (target ≤ 1.2×), and a set of
// 10,000 streams advanced by one bar (targets: native ≤ 10 ms, wasm ≤ 25 ms).

/**
 * Runs every streaming row for each engine. `bench(section, subject, backend, bars, fn)` times
 * `fn` (processing `bars` bars per call) and records the row; returns the row list it made.
 */
export function benchStreams(engines, bench, rows, { closes, quick }) {
  const n = closes.length;
  const summary = [];
  for (const [name, engine] of Object.entries(engines)) {
    const pipeline = rowOf(rows, () => bench('stream', `compute ${n} (per-bar base)`, name, n, () => engine.compute(closes)));
    // a fresh stream per call, disposed as a program that opens many would (wasm memory is freed at once)
    const many = rowOf(rows, () =>
      bench('stream', `pushMany ${n}`, name, n, () => {
        const fresh = engine.stream();
        fresh.pushMany(closes);
        fresh.dispose();
      }),
    );
    // one push: an endless walk over the real closes (a stream far past its warm-up)
    const stream = engine.stream();
    stream.pushMany(closes);
    let i = 0;
    const push = rowOf(rows, () => bench('stream', 'push 1 bar', name, 1, () => stream.push(closes[i++ % n])));
    const replace = rowOf(rows, () => bench('stream', 'replaceLast 1 bar', name, 1, () => stream.replaceLast(closes[i++ % n])));
    const count = quick ? 1000 : 10_000;
    const set = engine.streams(count);
    const step = new Float64Array(count);
    let bar = 0;
    const next = () => {
      for (let s = 0; s < count; s++) step[s] = closes[(bar + 37 * s) % n];
      bar++;
      return step;
    };
    for (let w = 0; w < 100; w++) set.push(next()); // past the warm-up of every MA
    const setRow = rowOf(rows, () => bench('stream', `set of ${count}: 1 bar each`, name, count, () => set.push(next())));
    const perBar = pipeline.medianMs / n;
    summary.push(
      `${name}: push ${(push.medianMs * 1e3).toFixed(2)} µs = ${(push.medianMs / perBar).toFixed(2)}× the pipeline per bar (${(perBar * 1e6).toFixed(0)} ns); ` +
        `replaceLast ${(replace.medianMs * 1e3).toFixed(2)} µs = ${(replace.medianMs / perBar).toFixed(2)}×; ` +
        `pushMany ${n} / compute = ${(many.medianMs / pipeline.medianMs).toFixed(2)}; set of ${count} one bar ${setRow.medianMs.toFixed(2)} ms`,
    );
  }
  return summary;
}

/** The row `record` appended while `run` ran. */
function rowOf(rows, run) {
  run();
  return rows.at(-1);
}
