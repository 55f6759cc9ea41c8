#!/bin/bash
# Build the lab image: Debian 12 with systemd and every package the roles
# install. The tag is a hash of what goes into the image, so the image is
# rebuilt only when packages.txt or these scripts change.
#
# Usage: lab/image/build.sh        prints the image reference on stdout
# Progress goes to stderr. Needs a running Docker engine; the debootstrap
# path needs root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repository=mailfleet-lab
label=io.mailfleet.stack=lab
suite=bookworm

say() { printf '[lab image] %s\n' "$*" >&2; }
die() { printf '[lab image] ERROR: %s\n' "$*" >&2; exit 1; }

tag=$(cat "$here/packages.txt" "$here/provision.sh" "$here/build.sh" \
  | sha256sum | cut -c1-12)
image="$repository:$tag"

if docker image inspect "$image" >/dev/null 2>&1; then
  say "$image is up to date"
  echo "$image"
  exit 0
fi

# The Debian mirror that this machine's apt already uses, read at run time.
host_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -e "$file" ] || continue
    awk '
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
      /^$/ { if (ok && uris != "") { print uris; exit } ok = 0; uris = "" }
      END { if (ok && uris != "") print uris }
    ' s="$suite" "$file" | head -n 1
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$file" ] || continue
    awk '$1 == "deb" && $3 == s { print $2; exit }' s="$suite" "$file"
  done
}

build_from_base_image() {
  # A registry is reachable: start from the Debian image.
  local context
  context=$(mktemp -d)
  cp "$here/packages.txt" "$here/provision.sh" "$context/"
  cat > "$context/Dockerfile" <<DOCKERFILE
FROM debian:$suite
COPY packages.txt provision.sh /tmp/
RUN sh /tmp/provision.sh /tmp/packages.txt && rm /tmp/packages.txt /tmp/provision.sh
ENV container=docker
STOPSIGNAL SIGRTMIN+3
LABEL $label
CMD ["/lib/systemd/systemd"]
DOCKERFILE
  docker build --quiet --tag "$image" "$context" >&2
  rm -rf "$context"
}

rootfs=
build_with_debootstrap() {
  local mirror started log
  [ "$(id -u)" = 0 ] || die "debootstrap needs root; run as root or build $image elsewhere"
  command -v debootstrap >/dev/null \
    || die "debootstrap is missing: apt-get install debootstrap"
  mirror=$(host_mirror | head -n 1)
  [ -n "$mirror" ] \
    || die "no Debian mirror for $suite found in /etc/apt/sources.list*; add one"
  rootfs=$(mktemp -d /var/tmp/mailfleet-lab-rootfs.XXXXXX)
  # Leave nothing mounted or half-built behind on failure.
  trap 'umount -l "$rootfs/proc" 2>/dev/null || true; rm -rf "$rootfs"' EXIT
  started=$SECONDS
  say "debootstrap $suite from the host's apt mirror (about a minute)"
  debootstrap --variant=minbase --include=python3,systemd,systemd-sysv \
    "$suite" "$rootfs" "$mirror" >/dev/null
  say "install the lab packages in the new root (about a minute)"
  log="$rootfs.log"
  cp "$here/packages.txt" "$here/provision.sh" "$rootfs/tmp/"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  if ! chroot "$rootfs" sh /tmp/provision.sh /tmp/packages.txt >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "installing the lab packages failed; the full log is $log"
  fi
  rm -f "$log"
  umount "$rootfs/proc"
  rm -f "$rootfs/tmp/packages.txt" "$rootfs/tmp/provision.sh"
  # Docker writes the container's own resolv.conf; leave none of the host's.
  : > "$rootfs/etc/resolv.conf"
  say "import the root file system as $image"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV container=docker' \
    --change "LABEL $label" \
    --change 'CMD ["/lib/systemd/systemd"]' \
    - "$image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  say "built $image in $((SECONDS - started)) s"
}

say "building $image"
if timeout 30 docker pull --quiet "debian:$suite" >/dev/null 2>&1; then
  build_from_base_image
else
  say "no registry answers; building from Debian's archive instead"
  build_with_debootstrap
fi
docker tag "$image" "$repository:latest"
echo "$image"
