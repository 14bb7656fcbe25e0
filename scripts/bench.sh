#!/usr/bin/env bash
# npm run bench: sets up its engine and fixtures, prints the table; exits 0 even when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true
node scripts/build.mjs >/dev/null
bash scripts/engines/install.sh >/dev/null
engine=${BKL_BENCH_ENGINE:-d26}
bash scripts/engines/start.sh "$engine" >/dev/null
node out/bench/bench.js --engine "$engine" "$@" || true
