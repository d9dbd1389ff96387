"""gunicorn settings: migrations and the start-up rebuild run once in the master, before workers fork.

Loaded as `gunicorn -c python:app.gunicorn_settings` (what `flowtime-registry serve` runs) or through the
checkout's top-level gunicorn.conf.py, so an installed copy needs no file of its own.
"""

import gc
import os
import sys

from app.config import Config
from app.console import fail
from app.errors import RegistryError
from app.logs import ACCESS_LOG_FORMAT, gunicorn_logconfig
from app.security import is_loopback
from app.startup import StartupFailed, prepare


def _config() -> Config:
    try:
        return Config.from_env()
    except RegistryError as exc:
        fail(exc.message)


def _bind(config: Config) -> str:
    """HOST:PORT, kept on loopback when the API is open (no tokens) unless FLOWTIME_ALLOW_OPEN=1."""
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    if not config.api_tokens and not config.allow_open and not is_loopback(host):
        print(f"FlowTime Registry: no FLOWTIME_API_TOKENS set, so binding 127.0.0.1 instead of {host} "
              "(set tokens, or FLOWTIME_ALLOW_OPEN=1 to serve an open API on the network)", file=sys.stderr)
        host = "127.0.0.1"
    return f"{host}:{port}"


_settings = _config()
bind = _bind(_settings)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 120
graceful_timeout = 30
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logconfig_dict = gunicorn_logconfig(_settings.log_level, _settings.log_format == "json")
# One shared control socket per user would clash between several instances on one host.
control_socket_disable = True
wsgi_app = "app.wsgi:app"


def on_starting(server):
    try:
        prepare()
    except RegistryError as exc:
        fail(exc.message)
    except StartupFailed as exc:
        fail(str(exc))


def post_worker_init(worker):
    """Freeze what start-up built (the app, SQLAlchemy's compiled metadata, the modules) out of the garbage
    collector's walks: with 100,000 such objects, collections took 113 ms of three search pages' 300 at 1M."""
    gc.freeze()
