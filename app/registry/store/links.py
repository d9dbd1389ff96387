"""Lineage queries over the relationships table: neighbours, ancestors, related artifacts."""

from __future__ import annotations

from sqlalchemy import Connection, select

from app.registry.store.tables import artifacts, relationships


def links_touching(connection: Connection, ids: list[str]) -> list[tuple[str, str]]:
    """(source, target) of every derived_from link that starts or ends at one of the ids."""
    rows = connection.execute(
        select(relationships.c.source_id, relationships.c.target_id).where(
            relationships.c.source_id.in_(ids) | relationships.c.target_id.in_(ids))
    ).all()
    return [(source, target) for source, target in rows]


def is_ancestor(connection: Connection, start: str, goal: str) -> bool:
    """Whether `goal` is reachable from `start` by following derived_from links."""
    seen, frontier = {start}, [start]
    while frontier:
        rows = connection.execute(
            select(relationships.c.target_id).where(relationships.c.source_id.in_(frontier))).scalars().all()
        if goal in rows:
            return True
        frontier = [r for r in rows if r not in seen]
        seen.update(frontier)
    return False


def siblings_and_template_peers(connection: Connection, derived_from: list[str], template_id: str | None,
                                limit: int) -> list[str]:
    """Live artifacts derived from the same models, or (with a template) made from the same template."""
    siblings = select(relationships.c.source_id).where(relationships.c.target_id.in_(derived_from or [""]))
    c = artifacts.c
    related = c.id.in_(siblings)
    if template_id:
        related = related | (c.template_id == template_id)
    statement = select(c.id).where(c.deleted_at.is_(None), related).order_by(c.created.desc(), c.id).limit(limit)
    return list(connection.execute(statement).scalars())
