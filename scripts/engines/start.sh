#!/usr/bin/env bash
# Start test engines on private unix sockets and print NAME=unix:///...sock for each.
#   scripts/engines/start.sh [d20] [d26] [d26c]      (all three when no name is given)
# d20  = Docker 20.10 (BuildKit 0.8), classic image store
# d26  = Docker 26.1 (BuildKit 0.13), classic image store
# d26c = Docker 26.1 with the containerd image store (multi-platform builds)
# Each engine gets its own folder under ${BKL_ENGINE_ROOT:-/tmp/bkl-engines}: socket, pidfile, log,
# data root and exec root (so each dockerd runs its own containerd on its own socket and state).
# No bridge, no iptables: builds must use network mode none. An engine already up is left alone.
# Tests may add dockerd flags with BKL_ENGINE_ARGS (e.g. a TLS tcp listener) and replace daemon.json
# with BKL_ENGINE_DAEMON_JSON (e.g. insecure-registries), for engines under their own BKL_ENGINE_ROOT.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=${BKL_ENGINE_TIMEOUT:-60}
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ENGINE_NAMES[@]}")
for n in "${names[@]}"; do engine_known "$n" || engines_die "unknown engine '$n' (expected d20, d26 or d26c)"; done

[ -x "$(engine_dockerd d26)" ] && [ -s "$BUSYBOX_TAR" ] || engines_die "engines are not installed: run scripts/engines/install.sh"
command -v curl >/dev/null || engines_die "curl is missing: run scripts/setup/apt.sh"

launch() {
  local name=$1 dir
  dir=$(engine_dir "$name")
  engine_pinged "$name" && return 0
  if engine_pid "$name" >/dev/null; then return 0; fi # still starting (another caller)
  [ ${#dir} -lt 60 ] || engines_die "engine folder $dir is too long for unix socket paths; set BKL_ENGINE_ROOT shorter"
  mkdir -p "$dir"
  # A dead engine may leave a stale socket, pidfile or containerd pidfile that blocks a restart.
  rm -f "$dir/docker.sock" "$dir/docker.pid" "$dir/exec/containerd/containerd.pid"
  if [ -n "${BKL_ENGINE_DAEMON_JSON:-}" ]; then
    printf '%s\n' "$BKL_ENGINE_DAEMON_JSON" > "$dir/daemon.json"
  else
    engine_daemon_json "$name" > "$dir/daemon.json"
  fi
  local args=(--config-file "$dir/daemon.json" --iptables=false --bridge=none
              --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid"
              -H "unix://$dir/docker.sock")
  # 20.10 predates --ip6tables; later engines would otherwise touch ip6tables.
  [ "$name" = d20 ] || args+=(--ip6tables=false)
  # shellcheck disable=SC2206 # word splitting wanted: a list of flags
  [ -z "${BKL_ENGINE_ARGS:-}" ] || args+=($BKL_ENGINE_ARGS)
  : > "$dir/engine.log"
  env PATH="$(engine_path "$name")" setsid "$(engine_dockerd "$name")" "${args[@]}" \
    >> "$dir/engine.log" 2>&1 < /dev/null 8>&- &
  echo $! > "$dir/launch.pid"
}

wait_ready() {
  local name=$1 dir pid deadline
  dir=$(engine_dir "$name")
  deadline=$((SECONDS + TIMEOUT))
  until engine_pinged "$name"; do
    pid=$(cat "$dir/launch.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! engine_pid "$name" >/dev/null; then
      echo "engines: $name exited while starting; last lines of $dir/engine.log:" >&2
      tail -n 20 "$dir/engine.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "engines: $name did not answer /_ping within ${TIMEOUT}s; last lines of $dir/engine.log:" >&2
      tail -n 20 "$dir/engine.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# busybox:latest from the offline rootfs tarball (no registry is reachable from the engines).
ensure_busybox() {
  local sock code
  sock=$(engine_sock "$1")
  code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" http://engine/images/busybox:latest/json)
  [ "$code" = 200 ] && return 0
  curl -sf -o /dev/null --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary "@$BUSYBOX_TAR" 'http://engine/images/create?fromSrc=-&repo=busybox&tag=latest' \
    || engines_die "$1: importing busybox:latest failed"
}

# Parallel callers (several test runs) start each engine once. The engines must not inherit fd 8.
mkdir -p "$(dirname "$ENGINES_ROOT")"
exec 8>"$ENGINES_ROOT.lock"
flock 8
mkdir -p "$ENGINES_ROOT"
t0=$(date +%s%N)
for n in "${names[@]}"; do launch "$n"; done
failed=0
for n in "${names[@]}"; do
  if wait_ready "$n"; then
    ensure_busybox "$n"
    engines_log "$n ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    echo "$n=$(engine_host "$n")"
  else
    failed=1
  fi
done
exit $failed
