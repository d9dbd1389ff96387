#!/usr/bin/env bash
# One machine, as deployed: nginx on HOST:PORT (buffering every request) in front of gunicorn on loopback.
# HOST, PORT: where clients connect (default 127.0.0.1:8000); UPSTREAM_PORT: gunicorn's loopback port
# (default PORT+1); NGINX_RUN_DIR: config, pid and temp files (default /tmp/flowtime-nginx-PORT).
# Stops both on SIGINT/SIGTERM. Install nginx with scripts/install-nginx.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
UPSTREAM_PORT="${UPSTREAM_PORT:-$((PORT + 1))}"
RUN_DIR="${NGINX_RUN_DIR:-${TMPDIR:-/tmp}/flowtime-nginx-${PORT}}"
BIN="${BIN:-.venv/bin}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$NGINX" ]; then
  echo "nginx is not installed: run scripts/install-nginx.sh" >&2
  exit 1
fi

CONF="$("$BIN/python" scripts/nginx_conf.py --listen "$HOST:$PORT" --upstream "127.0.0.1:$UPSTREAM_PORT" \
        --run-dir "$RUN_DIR")"
"$NGINX" -t -q -e stderr -p "$RUN_DIR" -c "$CONF"

# nginx bounds request lines and headers (8 KB per line, 32 KB in all); gunicorn's limits sit above them,
# so every oversized head is refused by nginx in the JSON error shape.
HOST=127.0.0.1 PORT="$UPSTREAM_PORT" "$BIN/gunicorn" -c gunicorn.conf.py \
  --limit-request-line 8190 --limit-request-fields 16384 --limit-request-field_size 16380 &
GUNICORN=$!
"$NGINX" -e stderr -p "$RUN_DIR" -c "$CONF" -g "daemon off;" &
NGINX_PID=$!

stop() {
  kill -TERM "$NGINX_PID" "$GUNICORN" 2> /dev/null || true
  wait "$NGINX_PID" "$GUNICORN" 2> /dev/null || true
}
trap stop INT TERM EXIT
# Either one ending ends the pair (the trap stops the other).
wait -n "$NGINX_PID" "$GUNICORN"
