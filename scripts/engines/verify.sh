#!/usr/bin/env bash
# Check that running test engines really build: engine info, the h2c upgrade on /grpc, a buildx build
# of `FROM busybox` + `RUN` (network none) on every engine, and a two-platform build on the
# containerd image store. Prints one line per check; exits non-zero if any check failed.
#   scripts/engines/verify.sh [d20] [d26] [d26c]
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ENGINE_NAMES[@]}")
export DOCKER_CONFIG=$DOCKER_CONFIG_DIR
DOCKER=${BKL_DOCKER_CLI:-docker}
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
printf 'FROM busybox\nRUN echo hi-from-run\n' > "$ctx/Dockerfile.run"
printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' > "$ctx/Dockerfile.scratch"
echo hello > "$ctx/hello.txt"

failed=0
check() { # name, description, command...
  local name=$1 what=$2 out; shift 2
  if out=$("$@" 2>&1); then
    echo "ok   $name: $what"
  else
    echo "FAIL $name: $what"; echo "$out" | tail -n 8 | sed 's/^/     /'; failed=1
  fi
}

grpc_upgrades() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --unix-socket "$(engine_sock "$1")" \
    -X POST -H 'Connection: Upgrade' -H 'Upgrade: h2c' http://engine/grpc)
  [ "$code" = 101 ] || { echo "POST /grpc answered $code, expected 101"; return 1; }
}

run_build() {
  local out
  out=$(DOCKER_HOST=$(engine_host "$1") "$DOCKER" buildx build --network none --no-cache --progress=plain \
    -f "$ctx/Dockerfile.run" -t "bkl-verify:$1" "$ctx" 2>&1) || { echo "$out"; return 1; }
  grep -q hi-from-run <<<"$out" || { echo "$out"; echo "RUN output missing"; return 1; }
  DOCKER_HOST=$(engine_host "$1") "$DOCKER" rmi -f "bkl-verify:$1" >/dev/null
}

multi_platform_build() {
  DOCKER_HOST=$(engine_host "$1") "$DOCKER" buildx build --progress=plain --platform linux/amd64,linux/arm64 \
    -f "$ctx/Dockerfile.scratch" -t "bkl-verify-mp:$1" "$ctx" || return 1
  DOCKER_HOST=$(engine_host "$1") "$DOCKER" rmi -f "bkl-verify-mp:$1" >/dev/null
}

for n in "${names[@]}"; do
  engine_known "$n" || engines_die "unknown engine '$n' (expected d20, d26 or d26c)"
  if ! engine_pinged "$n"; then echo "FAIL $n: not running (scripts/engines/start.sh $n)"; failed=1; continue; fi
  info=$(curl -s --unix-socket "$(engine_sock "$n")" http://engine/info)
  version=$(grep -o '"ServerVersion":"[^"]*"' <<<"$info" | cut -d'"' -f4)
  driver=$(grep -o '"Driver":"[^"]*"' <<<"$info" | head -1 | cut -d'"' -f4)
  echo "ok   $n: Docker $version, storage $driver, $(engine_host "$n")"
  check "$n" "POST /grpc upgrades to h2c" grpc_upgrades "$n"
  check "$n" "buildx build FROM busybox + RUN (network none)" run_build "$n"
  if [ "$n" = d26c ]; then
    check "$n" "buildx build --platform linux/amd64,linux/arm64 (containerd store)" multi_platform_build "$n"
  fi
done
exit $failed
