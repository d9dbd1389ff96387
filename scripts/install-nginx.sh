#!/usr/bin/env bash
# Installs Debian's nginx (the buffering front end of the one-machine recipe) when it is missing.
# Idempotent: does nothing when an nginx binary is already on the PATH or in /usr/sbin.
set -euo pipefail
if command -v nginx > /dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# nginx-light is enough (proxy, error pages); fall back to nginx where the light flavour is not packaged.
$SUDO apt-get install -y -qq nginx-light > /dev/null 2>&1 || $SUDO apt-get install -y -qq nginx > /dev/null
# Debian starts a default site on install; the recipe and the tests run their own instance.
$SUDO systemctl stop nginx > /dev/null 2>&1 || $SUDO service nginx stop > /dev/null 2>&1 || true
