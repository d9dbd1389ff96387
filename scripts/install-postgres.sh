#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries when they are missing (the tests start their own server).
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql > /dev/null
# Debian starts a cluster on install; the tests never use it.
$SUDO systemctl stop postgresql > /dev/null 2>&1 || $SUDO service postgresql stop > /dev/null 2>&1 || true
