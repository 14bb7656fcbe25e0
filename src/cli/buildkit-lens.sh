#!/bin/sh
# The CLI's command (package.json "bin"; build.mjs copies it to dist/buildkit-lens).
# Node 20 loads NODE_EXTRA_CA_CERTS as the process starts, with all of its bundled root certificates:
# ~70 ms of CPU on every run here, TLS or not (Node 24 pays nothing until a TLS connection needs them).
# The file is handed over under BUILDKIT_LENS_EXTRA_CA_CERTS instead; the CLI puts it back for the
# programs it starts and adds it to the roots of the TLS connections it makes (src/engine/launcherCa.ts).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  BUILDKIT_LENS_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export BUILDKIT_LENS_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
# npm links this file into a bin folder: follow the links to the folder that holds cli.js
# (the kernel has followed the same links to start this script, so they end)
folder() {
  case $1 in
    */*) dir=${1%/*} ;;
    *) dir=. ;;
  esac
}
self=$0
folder "$self"
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$dir/$link ;;
  esac
  folder "$self"
done
exec node "$dir/cli.js" "$@"
