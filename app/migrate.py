"""Run Alembic migrations for the configured database (`flask db ...`)."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine

from app.db import check_connection
from app.errors import RegistryError

_PACKAGE = Path(__file__).resolve().parent
# An installed wheel ships them as app/migrations; a checkout keeps them at the top level.
MIGRATIONS_DIR = next((p for p in (_PACKAGE / "migrations", _PACKAGE.parent / "migrations")
                       if (p / "alembic.ini").is_file()), _PACKAGE / "migrations")


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic configuration pointing at migrations/ and the given database."""
    config = AlembicConfig(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (a no-op when already there)."""
    check_connection(database_url)
    command.upgrade(alembic_config(database_url), revision)


def pending_revision(database_url: str) -> str | None:
    """The head revision when the database is behind it, else None (DatabaseUnreachable if it cannot be reached)."""
    check_connection(database_url)
    config = alembic_config(database_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(database_url)
    chatter = logging.getLogger("alembic.runtime.migration")
    level = chatter.level
    chatter.setLevel(logging.WARNING)  # "Context impl ..." on every CLI command says nothing
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        chatter.setLevel(level)
        engine.dispose()
    return None if current == head else head


db_cli = AppGroup("db", help="Database schema migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    try:
        upgrade(current_app.config["FLOWTIME"].database_url, revision)
    except RegistryError as exc:  # an unreachable database: one line, exit 1
        raise click.ClickException(exc.message) from exc
    click.echo(f"database at revision {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION."""
    command.downgrade(alembic_config(current_app.config["FLOWTIME"].database_url), revision)


@db_cli.command("current")
def current_command() -> None:
    """Show the database's current revision."""
    command.current(alembic_config(current_app.config["FLOWTIME"].database_url))
