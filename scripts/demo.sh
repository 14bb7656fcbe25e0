#!/usr/bin/env bash
# A demo build with live progress. Uses the engine the Docker CLI would use (DOCKER_HOST,
# the current context, /var/run/docker.sock); when none answers, installs and starts a private one.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x dist/buildkit-lens ] || node scripts/build.mjs >/dev/null

host=""
if dist/buildkit-lens info >/dev/null 2>&1; then
  echo "Using the engine the Docker CLI would use."
else
  echo "No Docker engine is reachable: starting a private one (Docker 26.1 with BuildKit 0.13)…"
  bash scripts/engines/install.sh
  bash scripts/engines/start.sh d26 >/dev/null
  host="unix://${BKL_ENGINE_ROOT:-/tmp/bkl-engines}/d26/docker.sock"
fi
hostargs=(); [ -z "$host" ] || hostargs=(--host "$host")

# The demo's base image, loaded offline when the engine lacks it (no registry needed).
if ! node -e "
  const D=require('dockerode'); const h='${host}'.replace(/^unix:\/\//,'');
  new D(h?{socketPath:h}:undefined).getImage('busybox:latest').inspect().then(()=>process.exit(0),()=>process.exit(1));"; then
  bash scripts/engines/install.sh >/dev/null
  node -e "
    const D=require('dockerode'); const fs=require('fs'); const h='${host}'.replace(/^unix:\/\//,'');
    new D(h?{socketPath:h}:undefined).importImage(fs.createReadStream('.cache/engines/busybox.tar'),{repo:'busybox',tag:'latest'})
      .then(s=>new Promise(r=>{s.on('end',r);s.resume();}));"
fi

dist/buildkit-lens info "${hostargs[@]}"
echo
dist/buildkit-lens build "${hostargs[@]}" --network none --no-cache -t buildkit-lens-demo:latest \
  --progress "${BKL_DEMO_PROGRESS:-auto}" examples/demo
echo
echo "Built buildkit-lens-demo:latest. Run it again to see every step CACHED:"
echo "  dist/buildkit-lens build ${hostargs[*]} --network none -t buildkit-lens-demo:latest examples/demo"
