#!/usr/bin/env bash
# Installs Debian's podman with runc (crun refuses this machine's hybrid cgroups) and, when no image registry
# can be reached, a Debian bookworm base image made with debootstrap from Debian's own packages:
# localhost/flowtime-debian-base:bookworm, the BASE that tests/e2e/test_container.py builds the Dockerfile on.
# Idempotent: installed packages and an existing base image are kept.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" > /dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" > /dev/null
fi
# podman's default ulimits ask for more than this machine's hard limits allow.
if [ ! -f /etc/containers/containers.conf ]; then
  $SUDO mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n' | $SUDO tee /etc/containers/containers.conf > /dev/null
fi
BASE=localhost/flowtime-debian-base:bookworm
if $SUDO podman image exists "$BASE"; then
  exit 0
fi
ROOTFS=$(mktemp -d)
trap '$SUDO rm -rf "$ROOTFS"' EXIT
$SUDO debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian > /dev/null
$SUDO rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb
$SUDO tar --numeric-owner -C "$ROOTFS" -c . | $SUDO podman import - "$BASE" > /dev/null
