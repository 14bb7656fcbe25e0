#!/usr/bin/env bash
# Print shell exports that point tests at the running test engines:
#   eval "$(scripts/engines/env.sh)"        (or: scripts/engines/env.sh d26c for one engine)
# BKL_TEST_ENGINES="d20=unix://...,d26=unix://...,d26c=unix://..." lists engines answering /_ping;
# DOCKER_CONFIG is the private client config holding the buildx plugin; BKL_BUILDX is that plugin.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ENGINE_NAMES[@]}")
list=()
for n in "${names[@]}"; do
  engine_known "$n" || engines_die "unknown engine '$n' (expected d20, d26 or d26c)"
  if engine_pinged "$n"; then
    list+=("$n=$(engine_host "$n")")
  else
    engines_log "$n is not running (scripts/engines/start.sh $n); left out of BKL_TEST_ENGINES"
  fi
done
# Double-quoted for readability; the characters special inside double quotes are escaped.
emit() {
  local v=$2
  v=${v//\\/\\\\}; v=${v//\"/\\\"}; v=${v//\$/\\\$}; v=${v//\`/\\\`}
  printf 'export %s="%s"\n' "$1" "$v"
}
joined=$(IFS=,; echo "${list[*]}")
emit BKL_TEST_ENGINES "$joined"
emit DOCKER_CONFIG "$DOCKER_CONFIG_DIR"
if [ -x "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx" ]; then
  emit BKL_BUILDX "$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx"
fi
