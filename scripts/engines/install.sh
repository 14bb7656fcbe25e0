#!/usr/bin/env bash
# Install everything the three test engines need, without touching the system's own Docker:
#   - docker.io 20.10 + busybox-static from the machine's Debian (scripts/setup/apt.sh)
#   - Docker 26.1 + containerd + buildx from Debian trixie, unpacked into .cache/engines/trixie/x
#     (downloaded with a private apt configuration; nothing from trixie is installed system-wide)
#   - buildx as a CLI plugin in a private DOCKER_CONFIG (.cache/engines/docker-config)
#   - an offline busybox:latest root filesystem tarball (.cache/engines/busybox.tar)
# Each step leaves a stamp and is skipped when already done.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRIXIE_PKGS=(docker.io containerd docker-buildx)

# docker-registry + apache2-utils (htpasswd): the private registry of test/integration/registry.test.ts;
# openssh-server: the private sshd of test/integration/engines-ssh.test.ts (the test runs its own sshd; the package's service is not used)
# openssh-client, gcc, libc6-dev: the ssh-agent and the static agent probe of test/integration/sshForward.test.ts
"$ENGINES_REPO/scripts/setup/apt.sh" docker.io busybox-static docker-registry apache2-utils openssh-server openssh-client gcc libc6-dev

mkdir -p "$ENGINES_CACHE"

install_trixie() {
  local stamp=$TRIXIE/.unpacked
  if [ -f "$stamp" ] && [ -x "$TRIXIE_X/usr/sbin/dockerd" ]; then return 0; fi
  local uri
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  [ -n "$uri" ] || engines_die "cannot find the machine's Debian mirror in /etc/apt/sources.list.d/debian.sources"
  engines_log "downloading ${TRIXIE_PKGS[*]} from trixie into $TRIXIE"
  rm -rf "$TRIXIE"
  mkdir -p "$TRIXIE/lists/partial" "$TRIXIE/cache/archives/partial" "$TRIXIE/debs"
  echo "deb $uri trixie main" > "$TRIXIE/sources.list"
  # Everything apt reads or writes is redirected into $TRIXIE so the system's package state is untouched.
  local o=(-o "Dir::Etc::SourceList=$TRIXIE/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o Dir::Etc::PreferencesParts=/dev/null -o "Dir::State::Lists=$TRIXIE/lists"
           -o "Dir::Cache=$TRIXIE/cache" -o Acquire::Languages=none -o APT::Get::List-Cleanup=false
           -o APT::Sandbox::User=root)
  apt-get "${o[@]}" update -q >&2
  (cd "$TRIXIE/debs" && apt-get "${o[@]}" download "${TRIXIE_PKGS[@]}" >&2)
  local f
  for f in "$TRIXIE"/debs/*.deb; do dpkg -x "$f" "$TRIXIE_X"; done
  # trixie's runc needs glibc 2.38; the engine uses bookworm's runc from PATH instead.
  rm -f "$TRIXIE_X/usr/sbin/runc" "$TRIXIE_X/usr/bin/runc"
  # docker-init points at tini-static, which is not part of the download: use bookworm's (package tini).
  if [ -x /usr/bin/tini-static ]; then ln -sfn /usr/bin/tini-static "$TRIXIE_X/usr/bin/docker-init"; fi
  # The lists and package cache are only needed for the download: keep the cache small.
  (cd "$TRIXIE/debs" && ls *.deb) > "$TRIXIE/debs.txt"
  rm -rf "$TRIXIE/lists" "$TRIXIE/cache" "$TRIXIE/debs"
  "$TRIXIE_X/usr/sbin/dockerd" --version >&2 || engines_die "the unpacked trixie dockerd does not run on this machine"
  mv "$TRIXIE/debs.txt" "$stamp"
}

install_buildx() {
  local src=$TRIXIE_X/usr/libexec/docker/cli-plugins/docker-buildx
  local dst=$DOCKER_CONFIG_DIR/cli-plugins/docker-buildx
  [ -x "$src" ] || engines_die "buildx is missing from the trixie download ($src)"
  if [ -x "$dst" ] && cmp -s "$src" "$dst"; then return 0; fi
  mkdir -p "$DOCKER_CONFIG_DIR/cli-plugins"
  # A hard link saves 65 MB when the cache sits on one filesystem; a copy otherwise.
  rm -f "$dst"
  ln "$src" "$dst" 2>/dev/null || install -m 755 "$src" "$dst"
  # An empty client config: no credential helpers, no contexts from the user's own ~/.docker.
  [ -f "$DOCKER_CONFIG_DIR/config.json" ] || echo '{}' > "$DOCKER_CONFIG_DIR/config.json"
}

install_busybox_tar() {
  [ -s "$BUSYBOX_TAR" ] && return 0
  local bb=/bin/busybox
  [ -x "$bb" ] || engines_die "$bb is missing (package busybox-static)"
  local tmp
  tmp=$(mktemp -d "$ENGINES_CACHE/rootfs.XXXXXX")
  local rootfs=$tmp/rootfs
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$bb" "$rootfs/bin/busybox"
  local applet rel
  while read -r applet; do
    [ -n "$applet" ] || continue
    [ "$applet" = "bin/busybox" ] && continue
    [ -e "$rootfs/$applet" ] && continue
    # Relative links keep the image valid wherever the rootfs is mounted.
    rel=$(realpath -m --relative-to="$rootfs/$(dirname "$applet")" "$rootfs/bin/busybox")
    ln -s "$rel" "$rootfs/$applet"
  done < <("$bb" --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  # Fixed owner and mtime so every machine produces the same layer (and the same image id).
  tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$tmp/busybox.tar" .
  mv "$tmp/busybox.tar" "$BUSYBOX_TAR"
  rm -rf "$tmp"
}

install_trixie
install_buildx
install_busybox_tar
engines_log "installed: $("$TRIXIE_X/usr/sbin/dockerd" --version 2>/dev/null | head -1); $(/usr/sbin/dockerd --version 2>/dev/null | head -1)"
