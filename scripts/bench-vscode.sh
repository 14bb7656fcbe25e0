#!/usr/bin/env bash
# npm run bench:vscode: the extension's targets in a real VS Code, installed from its .vsix.
# Sets up VS Code and the engine, prints the table; exits 0 even when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true
bash scripts/setup/vscode.sh >/dev/null
bash scripts/engines/install.sh >/dev/null
engine=${BKL_BENCH_ENGINE:-d26}
bash scripts/engines/start.sh "$engine" >/dev/null
node out/bench/vscode.js --engine "$engine" "$@" || true
