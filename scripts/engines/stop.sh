#!/usr/bin/env bash
# Stop test engines started by start.sh (all of them when no name is given).
#   scripts/engines/stop.sh [--purge] [d20] [d26] [d26c]
# Ends dockerd's process group, then any containerd or shim still naming the engine's folder,
# and unmounts what the engine left mounted there. Images stay unless --purge removes the folder.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=0
names=()
for a in "$@"; do
  case "$a" in
    --purge) purge=1 ;;
    *) engine_known "$a" || engines_die "unknown engine '$a' (expected d20, d26 or d26c)"; names+=("$a") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${ENGINE_NAMES[@]}")

# Wait up to $2 tenths of a second for the pids in $1 to exit; answers 1 if some are still alive.
wait_gone() {
  local pids=$1 tenths=$2 p alive
  while :; do
    alive=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    [ "$tenths" -le 0 ] && return 1
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

signal_groups() {
  local sig=$1 p; shift
  for p in "$@"; do kill "-$sig" -- "-$p" 2>/dev/null || kill "-$sig" "$p" 2>/dev/null || true; done
}

stop_one() {
  local name=$1 dir pid rest m
  dir=$(engine_dir "$name")
  [ -d "$dir" ] || return 0
  if pid=$(engine_pid "$name"); then
    # dockerd leads its own session (setsid); on TERM it stops its containers and containerd.
    signal_groups TERM "$pid"
    wait_gone "$pid" 300 || { engines_log "$name: dockerd ignored TERM, killing"; signal_groups KILL "$pid"; wait_gone "$pid" 50 || true; }
  fi
  rest=$(engine_pids "$dir")
  if [ -n "$rest" ]; then
    # containerd and shims run in process groups of their own.
    signal_groups TERM $rest
    wait_gone "$rest" 100 || { signal_groups KILL $rest; wait_gone "$rest" 50 || true; }
  fi
  # Deepest mount points first; a lazy unmount covers anything still busy.
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || engines_log "$name: could not unmount $m"
  done
  rm -f "$dir/docker.sock" "$dir/docker.pid" "$dir/launch.pid"
  if [ $purge -eq 1 ]; then rm -rf "$dir"; fi
  engines_log "$name stopped"
}

# Engines stop independently (each dockerd takes a few seconds to shut down): do it in parallel.
for n in "${names[@]}"; do stop_one "$n" & done
wait
