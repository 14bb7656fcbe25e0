#!/usr/bin/env bash
# npm run bench: sets up its engine and fixtures, prints the table; exits 0 even when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true
node scripts/build.mjs >/dev/null
bash scripts/engines/install.sh >/dev/null
# GNU time, for the peak-memory rows (bench/measure.ts)
bash scripts/setup/apt.sh time >/dev/null
engine=${BKL_BENCH_ENGINE:-d26}
bash scripts/engines/start.sh "$engine" >/dev/null
# npm run bench:profile: CPU profiles of the CLI's hot paths instead (bench/profile.ts)
if [ "${1:-}" = --profile ]; then shift; node out/bench/profile.js --engine "$engine" "$@" || true; exit 0; fi
node out/bench/bench.js --engine "$engine" "$@" || true
