#!/usr/bin/env bash
# Install Debian packages the project needs, idempotently.
#   scripts/setup/apt.sh [pkg...]     (curl is always ensured)
# `apt-get update` runs once per machine (a marker file remembers it); only packages
# that are not installed yet are passed to `apt-get install`. Parallel callers are
# serialised with flock so two scripts never fight over the dpkg lock.
set -euo pipefail

MARKER=${BKL_APT_MARKER:-/var/lib/bkl/apt-updated}
LOCK=${BKL_APT_LOCK:-/tmp/bkl-apt.lock}

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in curl "$@"; do
  installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

exec 9>"$LOCK"
flock 9
# Another caller may have installed them while we waited for the lock.
still=()
for p in "${missing[@]}"; do
  installed "$p" || still+=("$p")
done
[ ${#still[@]} -eq 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
if [ ! -e "$MARKER" ]; then
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -q >&2
  $SUDO mkdir -p "$(dirname "$MARKER")"
  $SUDO touch "$MARKER"
fi
echo "apt.sh: installing ${still[*]}" >&2
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${still[@]}" >&2
