#!/usr/bin/env bash
# Creates the Python venv the seed-kernel comparison runs the reference's Numba kernels in.
# Lives outside the repo (never committed); re-running is a no-op once numba imports.
# Usage: bash bench/numba/setup-venv.sh   → prints the venv's python path on the last line.
set -euo pipefail
VENV="${ATC_NUMBA_VENV:-$HOME/.cache/adaptive-trend/numba-venv}"
PY="${PYTHON:-python3}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import numba, numpy' 2>/dev/null; then
  echo "$VENV/bin/python"
  exit 0
fi
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
# The reference's own environment (../shared/docs/reference-notes.md): numpy 2.x + numba 0.6x.
"$VENV/bin/python" -m pip install --quiet numpy numba >&2
"$VENV/bin/python" -c 'import numba, numpy; print("numba", numba.__version__, "numpy", numpy.__version__)' >&2
echo "$VENV/bin/python"
