#!/usr/bin/env bash
# Install a real VS Code server (code-server's bundled VS Code 1.100.3, Node 20) plus the
# Debian Chromium the e2e harness drives, idempotently.
#   scripts/setup/vscode.sh            install if missing or out of date; prints the VS Code dir
#   BKL_VSCODE_DIR=... scripts/setup/vscode.sh   install somewhere else (default .cache/vscode)
# Everything lands in .cache/vscode, never in the project's node_modules: the server has its
# own native modules (node-pty, spdlog, watcher, kerberos) that must not mix with ours.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEPS="$ROOT/test/e2e/harness/vscode-deps"
DEST=${BKL_VSCODE_DIR:-$ROOT/.cache/vscode}
VS="$DEST/node_modules/code-server/lib/vscode"
STAMP="$DEST/.installed"

log() { echo "vscode.sh: $*" >&2; }
fail() { echo "vscode.sh: $*" >&2; exit 1; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || fail "code-server 4.100.3 needs Node 20 (found $(node -v))"

# Debian packages: the browser, the search binary VS Code shells out to, and kerberos headers
# (VS Code's kerberos module builds from source).
if [ -f "$ROOT/scripts/setup/apt.sh" ]; then
  bash "$ROOT/scripts/setup/apt.sh" chromium ripgrep libkrb5-dev
else
  need=()
  for p in chromium ripgrep libkrb5-dev; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${need[@]}" >&2
  fi
fi

# The stamp records what was installed; a changed package.json or lockfile (or a bump of
# RECIPE, when the steps below change what gets built) triggers a clean reinstall instead of
# patching a half-old tree.
RECIPE=1
want="$(cat "$DEPS/package.json" "$DEPS/package-lock.json" | sha256sum | cut -d' ' -f1)-r$RECIPE"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -f "$VS/out/server-main.js" ]; then
  echo "$VS"
  exit 0
fi

mkdir -p "$(dirname "$DEST")"
exec 9>"$DEST.lock"
flock 9
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -f "$VS/out/server-main.js" ]; then
  echo "$VS"
  exit 0
fi

started=$(date +%s)
rm -rf "$DEST"
mkdir -p "$DEST/tmp"
cp "$DEPS/package.json" "$DEPS/package-lock.json" "$DEST/"
cd "$DEST"

export npm_config_yes=true          # node-pty's install runs `npx node-gyp`
export npm_config_nodedir=/usr      # headers of the installed Node, no download
export npm_config_unsafe_perm=true  # read by code-server's postinstall (refuses to run as root without it)
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export TMPDIR="$DEST/tmp"           # private home for @vscode/ripgrep's download cache

# 1. Unpack without running anything, so the ripgrep cache can be seeded from the real files.
log "unpacking code-server (npm ci)"
npm ci --ignore-scripts >&2

# 2. @vscode/ripgrep's postinstall fetches rg from GitHub, which is unreachable here. It first
#    looks for $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<tag>-<target>.tar.gz, so put
#    Debian's rg there. The tag lives in the package's postinstall.js: read it from the packed
#    tarball (npm caches it, so the nested install below does not download it again).
rg_ver=$(node -p "require('$VS/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep'].version")
case $(uname -m) in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) fail "no ripgrep target known for $(uname -m)" ;;
esac
mkdir -p "$TMPDIR/rgpkg" && (cd "$TMPDIR/rgpkg" && npm pack --silent "@vscode/ripgrep@$rg_ver" >/dev/null && tar xzf ./*.tgz)
rg_tag=$(sed -n "s/^const VERSION = '\(v[^']*\)'.*/\1/p" "$TMPDIR/rgpkg/package/lib/postinstall.js")
[ -n "$rg_tag" ] || fail "could not read the ripgrep tag from @vscode/ripgrep@$rg_ver"
mkdir -p "$TMPDIR/rgseed" "$TMPDIR/vscode-ripgrep-cache-$rg_ver"
cp /usr/bin/rg "$TMPDIR/rgseed/rg"
tar -C "$TMPDIR/rgseed" -czf "$TMPDIR/vscode-ripgrep-cache-$rg_ver/ripgrep-$rg_tag-$rg_target.tar.gz" rg
log "seeded ripgrep $rg_tag ($rg_target) for @vscode/ripgrep $rg_ver"

# 3. Run the install scripts. npm 11 blocks dependency install scripts unless package.json's
#    allowScripts names them (the environment may not): the committed package.json allows
#    code-server's postinstall and denies argon2's (it only serves code-server's password
#    login, unused here). That postinstall runs a nested `npm install` in lib/vscode, whose
#    package.json has no allowScripts, so add one there: every package its shrinkwrap marks as
#    having an install script, except the Windows-only modules. Entries are name-only: npm can
#    pin only lockfile entries with a "resolved" URL, and the locks already pin the versions.
#    Older npm ignores the field and runs everything, which is fine too.
node -e '
  const fs = require("fs"), dir = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(dir + "/package.json", "utf8"));
  const lock = JSON.parse(fs.readFileSync(dir + "/npm-shrinkwrap.json", "utf8"));
  pkg.allowScripts = {};
  for (const [where, p] of Object.entries(lock.packages)) {
    if (!where || !p.hasInstallScript) continue;
    const name = where.slice(where.lastIndexOf("node_modules/") + 13);
    pkg.allowScripts[name] = !name.startsWith("@vscode/windows-");
  }
  fs.writeFileSync(dir + "/package.json", JSON.stringify(pkg, null, 2));
  console.error("vscode.sh: lib/vscode allowScripts " + JSON.stringify(pkg.allowScripts));
' "$VS"
log "building native modules (code-server postinstall)"
# Script output goes to a log (node-gyp is chatty); its tail is shown if something fails.
npm rebuild --foreground-scripts > "$DEST/install.log" 2>&1 || { tail -30 "$DEST/install.log" >&2; fail "npm rebuild failed (log: $DEST/install.log)"; }

# Prove the native modules really built: a skipped script leaves no .node file behind.
for m in node-pty @vscode/spdlog kerberos native-watchdog; do
  find "$VS/node_modules/$m" -name '*.node' -path '*build/Release*' -print -quit | grep -q . \
    || fail "native module $m was not built (install scripts skipped?)"
done
[ -x "$VS/node_modules/@vscode/ripgrep/bin/rg" ] || fail "ripgrep binary missing in @vscode/ripgrep/bin"
(cd "$VS" && node -e "require('node-pty'); require('@vscode/spdlog'); require('@parcel/watcher'); require('kerberos')") \
  || fail "native modules do not load under $(node -v)"

version=$(node "$VS/out/server-main.js" --version | head -1)
[ -n "$version" ] || fail "the VS Code server does not start"

rm -rf "$TMPDIR"
echo "$want" > "$STAMP"
log "VS Code $version installed in $(( $(date +%s) - started )) s"
echo "$VS"
