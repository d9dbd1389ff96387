"""Queries of the maintenance use cases: purge and retention candidates, the rows a check compares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from app.registry.store.tables import artifact_tags, artifacts, skipped_folders


def deleted_before(connection: Connection, cutoff: datetime) -> list:
    """(id, path, deleted_at) of soft-deleted artifacts deleted before the cutoff, by id."""
    c = artifacts.c
    return connection.execute(
        select(c.id, c.path, c.deleted_at).where(c.deleted_at.is_not(None), c.deleted_at < cutoff).order_by(c.id)
    ).all()


def live_created_before(connection: Connection, cutoff: datetime, artifact_type: str | None,
                        keep_tag: str | None) -> list:
    """(id, created) of live artifacts created before the cutoff, minus those carrying the keep tag."""
    c = artifacts.c
    statement = select(c.id, c.created).where(c.deleted_at.is_(None), c.created < cutoff)
    if artifact_type:
        statement = statement.where(c.type == artifact_type)
    if keep_tag:
        kept = select(artifact_tags.c.artifact_seq).where(artifact_tags.c.tag == keep_tag)
        statement = statement.where(c.seq.not_in(kept))
    return connection.execute(statement.order_by(c.id)).all()


def ids_and_paths(connection: Connection) -> list:
    """(id, path, deleted_at) of every row."""
    return connection.execute(select(artifacts.c.id, artifacts.c.path, artifacts.c.deleted_at)).all()


def skipped_paths(connection: Connection) -> set[str]:
    """The paths of the folders the last scans skipped."""
    return set(connection.execute(select(skipped_folders.c.path)).scalars())
