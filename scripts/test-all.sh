#!/usr/bin/env bash
# Everything the tests need, then every test: unit, integration (real engines), e2e (real VS Code).
# Installs apt packages, the engines and code-server from the project's own files (idempotent).
# BKL_SKIP_E2E=1 / BKL_SKIP_INTEGRATION=1 leave a layer out (for quick local runs only).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
step() { printf '\n==> %s\n' "$*"; }

step "compile (tsc) and bundle (esbuild)"
npx tsc -p . || { echo "typecheck failed"; exit 1; }
node scripts/build.mjs || { echo "bundle failed"; exit 1; }

if [ "${BKL_SKIP_INTEGRATION:-}" != 1 ]; then
  step "real engines: Docker 20.10 and 26.1 (classic and containerd store)"
  bash scripts/engines/install.sh || { echo "engine install failed"; exit 1; }
  bash scripts/engines/start.sh || { echo "engine start failed"; exit 1; }
  eval "$(bash scripts/engines/env.sh)"
fi

step "unit and integration tests (node:test)"
files=$(find out/test/unit -name '*.test.js' | sort)
[ "${BKL_SKIP_INTEGRATION:-}" = 1 ] || files="$files $(find out/test/integration -name '*.test.js' 2>/dev/null | sort)"
# One file at a time: the integration files share engines and tags.
node --test --test-concurrency=1 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$results/node.tap" $files
node_rc=$?
pass=$(awk '/^# pass /{print $3}' "$results/node.tap" | tail -1)
fail=$(awk '/^# fail /{print $3}' "$results/node.tap" | tail -1)
pass=${pass:-0}; fail=${fail:-0}
[ $node_rc -eq 0 ] || [ "$fail" -gt 0 ] || fail=1

if [ "${BKL_SKIP_E2E:-}" != 1 ] && [ -f out/test/e2e/run.js ]; then
  step "e2e: the extension in a real VS Code (code-server) driven by Chromium"
  bash scripts/setup/vscode.sh || { echo "VS Code setup failed"; exit 1; }
  node out/test/e2e/run.js 2>&1 | tee "$results/e2e.log"
  e2e_rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$results/e2e.log" | tail -1)
  e2e_fail=$(echo "$line" | awk '{print $3}')
  e2e_pass=$(echo "$line" | awk '{print $1}')
  pass=$((pass + ${e2e_pass:-0}))
  fail=$((fail + ${e2e_fail:-0}))
  # A runner that died without its closing line still counts as a failure.
  if [ $e2e_rc -ne 0 ] && [ "${e2e_fail:-0}" -eq 0 ]; then fail=$((fail + 1)); fi
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
