"""Render deploy/nginx.conf for one machine: nginx on HOST:PORT in front of gunicorn on loopback.

Usage: python scripts/nginx_conf.py --listen HOST:PORT --upstream 127.0.0.1:PORT --run-dir DIR
Writes DIR/nginx.conf and prints its path. Without FLOWTIME_API_TOKENS nginx listens on 127.0.0.1
(as gunicorn.conf.py binds), unless FLOWTIME_ALLOW_OPEN=1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import Config  # noqa: E402 - after the path set-up
from app.security import is_loopback  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx.conf"
MULTIPART_SLACK_MB = 2  # the upload cap itself is enforced byte-exactly by the registry


def listen_address(listen: str, config: Config) -> str:
    """HOST:PORT, kept on loopback when the API is open (no tokens) unless FLOWTIME_ALLOW_OPEN=1."""
    host, _, port = listen.rpartition(":")
    if not config.api_tokens and not config.allow_open and not is_loopback(host):
        print(f"FlowTime Registry: no FLOWTIME_API_TOKENS set, so nginx listens on 127.0.0.1 instead of {host}",
              file=sys.stderr)
        host = "127.0.0.1"
    return f"{host}:{port}"


def render(listen: str, upstream: str, run_dir: Path, config: Config) -> str:
    """The template with its placeholders filled in."""
    max_body = max(config.max_upload_mb, config.max_body_mb) + MULTIPART_SLACK_MB
    values = {"@LISTEN@": listen_address(listen, config), "@UPSTREAM@": upstream,
              "@RUN_DIR@": str(run_dir), "@MAX_BODY@": f"{max_body}m"}
    text = TEMPLATE.read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def main() -> None:
    """Write the rendered configuration into the run directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT nginx listens on")
    parser.add_argument("--upstream", required=True, help="HOST:PORT gunicorn listens on")
    parser.add_argument("--run-dir", required=True, type=Path, help="folder for the config, pid and temp files")
    args = parser.parse_args()
    run_dir = args.run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "nginx.conf"
    target.write_text(render(args.listen, args.upstream, run_dir, Config.from_env()))
    print(target)


if __name__ == "__main__":
    main()
