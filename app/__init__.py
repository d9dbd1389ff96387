"""FlowTime Registry: the application factory."""

from __future__ import annotations

from flask import Flask

from app.api import register_api
from app.cli import register_commands
from app.config import Config
from app.docs import register_docs
from app.errors import register_error_handlers
from app.logs import configure_logging, register_request_ids
from app.registry.context import RegistryContext
from app.registry.sync.periodic import register_background_jobs
from app.security import register_security
from app.ui import register_ui


def create_app(overrides: dict | None = None) -> Flask:
    """Build the Flask app: configuration, registry, API, error handlers, CLI commands."""
    config = Config.from_env().with_overrides(overrides)
    app = Flask(__name__)
    _configure(app, config)
    app.extensions["flowtime"] = RegistryContext.build(config)
    register_background_jobs(app)
    register_request_ids(app)  # first, so that even a refused request carries its id
    register_security(app)
    register_api(app)
    register_ui(app)
    register_docs(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def _configure(app: Flask, config: Config) -> None:
    configure_logging(config.log_level, config.log_format == "json")
    app.config.update(FLOWTIME=config, MAX_CONTENT_LENGTH=config.max_body_bytes, TESTING=config.testing)
    app.url_map.merge_slashes = False  # "files//etc/x" reaches the path resolver (and is refused there)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
