"""The `flowtime-registry` console script: every Flask command of the app, plus `serve` (gunicorn)."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup

from app import create_app
from app.errors import RegistryError

GUNICORN_SETTINGS = "python:app.gunicorn_settings"


def fail(message: str) -> NoReturn:
    """One line on stderr and exit status 1: configuration and connection mistakes are not tracebacks."""
    print(f"FlowTime Registry: {message}", file=sys.stderr)
    raise SystemExit(1)


def create_app_or_exit() -> Flask:
    """The app from the environment, or one line naming the bad setting and exit 1."""
    try:
        return create_app()
    except RegistryError as exc:  # ConfigError (FLOWTIME_*), DatabaseUnreachable
        fail(exc.message)


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: PORT or 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: 2).")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the registry with gunicorn and the project's settings (migrates and rebuilds first)."""
    env = dict(os.environ)
    for name, value in (("HOST", host), ("PORT", port), ("WEB_CONCURRENCY", workers)):
        if value is not None:
            env[name] = str(value)
    argv = [sys.executable, "-m", "gunicorn", "-c", GUNICORN_SETTINGS]
    os.execve(sys.executable, argv, env)  # gunicorn becomes this process: signals reach its master


cli = click.version_option(package_name="flowtime-registry", prog_name="flowtime-registry")(
    FlaskGroup(name="flowtime-registry", create_app=create_app_or_exit, add_version_option=False,
               help="FlowTime Registry: serve it, migrate its database, operate the registry."))
cli.add_command(serve_command)


def main() -> None:
    """Entry point of the console script."""
    try:
        cli.main(prog_name="flowtime-registry")
    except RegistryError as exc:  # raised by a command outside its own handling (e.g. db upgrade)
        fail(exc.message)
