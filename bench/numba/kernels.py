"""The reference's three seed kernels in Numba, timed on the inputs bench/src/seed-kernels.mjs wrote.

The reference repository is not in ../shared, so these are written from its spec
(../shared/docs/reference-notes.md §3.7 KAMA, §4 persistence, §5.1 equity) with the loop shapes
of its Numba module (`_calculate_equity_core`, `_apply_signal_persistence`,
`_calculate_kama_atc_core`): `@njit` without fastmath, an optional `out`, the KAMA noise summed
over the window at every bar (O(L) per bar, as the reference does).

Usage: python kernels.py DIR N [N ...]  (DIR holds the `<name>-<n>.bin` inputs; prints one JSON
line per kernel × size × out/no-out with the median and min/max µs per call).
"""

import json
import os
import sys
import time

import numba
import numpy as np
from numba import njit

KAMA_FAST = 0.666
KAMA_SLOW = 0.064
EQUITY_FLOOR = 0.25


@njit
def _calculate_equity_core(r_values, sig_prev_values, starting_equity, decay_multiplier, cutout, out=None):
    n = len(r_values)
    if out is None:
        out = np.empty(n, dtype=np.float64)
    prev_e = np.nan
    for i in range(n):
        if i < cutout:
            out[i] = np.nan
            continue
        r_i = r_values[i]
        s = sig_prev_values[i]
        if np.isnan(s) or np.isnan(r_i) or s == 0:
            a = 0.0
        elif s > 0:
            a = r_i
        else:
            a = -r_i
        if np.isnan(prev_e):
            e = starting_equity
        else:
            e = (prev_e * decay_multiplier) * (1.0 + a)
        if e < EQUITY_FLOOR:
            e = EQUITY_FLOOR
        out[i] = e
        prev_e = e
    return out


@njit
def _apply_signal_persistence(up, down, out=None):
    n = len(up)
    if out is None:
        out = np.zeros(n, dtype=np.int8)
    current = 0
    for i in range(n):
        if up[i]:
            current = 1
        elif down[i]:
            current = -1
        out[i] = current
    return out


@njit
def _calculate_kama_atc_core(prices, length, out=None):
    n = len(prices)
    if out is None:
        out = np.empty(n, dtype=np.float64)
    if n == 0:
        return out
    fast_minus_slow = KAMA_FAST - KAMA_SLOW
    out[0] = prices[0]
    for i in range(1, n):
        if i < length:
            out[i] = out[i - 1]
            continue
        noise = 0.0
        for j in range(i - length + 1, i + 1):
            noise += abs(prices[j] - prices[j - 1])
        signal = abs(prices[i] - prices[i - length])
        ratio = 0.0 if noise == 0 else signal / noise
        sc = (ratio * fast_minus_slow + KAMA_SLOW) ** 2
        prev = prices[i] if np.isnan(out[i - 1]) else out[i - 1]
        out[i] = prev + sc * (prices[i] - prev)
    return out


def time_calls(fn, target_s=0.04, runs=15, warmup_s=0.3):
    """Median and spread of CPU µs per call: warm-up, `inner` calls per timed batch so one batch
    lasts about `target_s`, `runs` batches."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < warmup_s:
        fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    inner = max(1, min(10_000, round(target_s / once)))
    samples = []
    for _ in range(runs):
        # CPU time of this process, as the JS side (a shared machine's wall time measures the others).
        t0 = time.process_time_ns()
        for _ in range(inner):
            fn()
        samples.append((time.process_time_ns() - t0) / inner / 1e3)
    samples.sort()
    return {"medianUs": samples[len(samples) // 2], "minUs": samples[0], "maxUs": samples[-1], "inner": inner}


def load(directory, name, n, dtype):
    return np.fromfile(os.path.join(directory, f"{name}-{n}.bin"), dtype=dtype)


def main():
    directory = sys.argv[1]
    sizes = [int(float(s)) for s in sys.argv[2:]]
    print(json.dumps({"meta": {"numba": numba.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}}))
    for n in sizes:
        x = load(directory, "prices", n, np.float64)
        r = load(directory, "returns", n, np.float64)
        sig = load(directory, "signal", n, np.float64)
        up = load(directory, "up", n, np.uint8).view(np.bool_)
        down = load(directory, "down", n, np.uint8).view(np.bool_)
        # The Numba kernel takes the already-shifted signal (reference-notes §5.2, caller's duty).
        sig_prev = np.empty(n)
        sig_prev[0] = np.nan
        sig_prev[1:] = sig[:-1]
        out_f = np.empty(n)
        decay = 1.0 - 0.03 / 100.0  # core's decayMultiplier({ decay: 0.03 })
        out_i = np.empty(n, dtype=np.int8)
        cases = {
            "equity": (
                lambda: _calculate_equity_core(r, sig_prev, 1.0, decay, 0),
                lambda: _calculate_equity_core(r, sig_prev, 1.0, decay, 0, out_f),
            ),
            "persistence": (
                lambda: _apply_signal_persistence(up, down),
                lambda: _apply_signal_persistence(up, down, out_i),
            ),
            "kama": (
                lambda: _calculate_kama_atc_core(x, 28),
                lambda: _calculate_kama_atc_core(x, 28, out_f),
            ),
        }
        for kernel, (fresh, into) in cases.items():
            for out_mode, fn in (("new", fresh), ("out", into)):
                result = fn()
                result.tofile(os.path.join(directory, f"numba-{kernel}-{out_mode}-{n}.bin"))
                stats = time_calls(fn)
                print(json.dumps({"kernel": kernel, "n": n, "out": out_mode, **stats}), flush=True)


if __name__ == "__main__":
    main()
