# Shared paths and helpers for scripts/engines/*.sh (sourced, not run).
# Every path can be overridden from the environment so CI and tests can relocate them.

ENGINES_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENGINES_CACHE=${BKL_ENGINE_CACHE:-$ENGINES_REPO/.cache/engines}
# Unix socket paths must stay under ~100 bytes, so the runtime root is short and outside the repo.
ENGINES_ROOT=${BKL_ENGINE_ROOT:-/tmp/bkl-engines}
TRIXIE=$ENGINES_CACHE/trixie
TRIXIE_X=$TRIXIE/x
DOCKER_CONFIG_DIR=$ENGINES_CACHE/docker-config
BUSYBOX_TAR=$ENGINES_CACHE/busybox.tar
ENGINE_NAMES=(d20 d26 d26c)

engines_die() { echo "engines: $*" >&2; exit 1; }
engines_log() { echo "engines: $*" >&2; }

engine_known() {
  case "$1" in d20|d26|d26c) return 0 ;; *) return 1 ;; esac
}

engine_dir() { echo "$ENGINES_ROOT/$1"; }
engine_sock() { echo "$ENGINES_ROOT/$1/docker.sock"; }
engine_host() { echo "unix://$(engine_sock "$1")"; }

# Answers 0 when the engine's API says OK on /_ping.
engine_pinged() {
  local sock
  sock=$(engine_sock "$1")
  [ -S "$sock" ] || return 1
  [ "$(curl -s --max-time 2 --unix-socket "$sock" http://engine/_ping 2>/dev/null)" = "OK" ]
}

# The pid recorded by dockerd, if that process is still alive.
engine_pid() {
  local pidfile pid
  pidfile=$(engine_dir "$1")/docker.pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # After a reboot the recorded pid may belong to an unrelated process.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(engine_dir "$1")/" || return 1
  echo "$pid"
}

# The dockerd binary and PATH for an engine. PATH decides which containerd, shims and runc the
# engine manages: bookworm's for d20, trixie's containerd 1.7 (with bookworm's runc) for d26/d26c.
engine_dockerd() {
  case "$1" in
    d20) echo /usr/sbin/dockerd ;;
    *) echo "$TRIXIE_X/usr/sbin/dockerd" ;;
  esac
}
engine_path() {
  local base=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  case "$1" in
    d20) echo "$base" ;;
    *) echo "$TRIXIE_X/usr/bin:$TRIXIE_X/usr/sbin:$base" ;;
  esac
}
engine_daemon_json() {
  case "$1" in
    d26c) echo '{"features":{"containerd-snapshotter":true}}' ;;
    *) echo '{}' ;;
  esac
}

# Every daemon started for an engine (dockerd, its containerd, the shims) names the engine's folder
# on its command line; this lists their pids so stop.sh ends exactly those and nothing else
# (not, say, a `tail -f` of the engine log).
engine_pids() {
  local dir=$1/ p comm
  for p in /proc/[0-9]*; do
    comm=$(cat "$p/comm" 2>/dev/null) || continue
    case "$comm" in dockerd|containerd|containerd-shim*|docker-proxy) ;; *) continue ;; esac
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "$dir" && echo "${p#/proc/}"
  done
  return 0
}
