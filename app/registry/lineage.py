"""Lineage: derived_from / generates links as summaries, related artifacts, traversal and manual links."""

from __future__ import annotations

from app.errors import Conflict, ValidationFailed
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact, require_artifact
from app.registry.store.links import is_ancestor, links_touching, siblings_and_template_peers
from app.registry.store.repository import ArtifactRepository
from app.registry.store.similar import similar_runs
from app.registry.sync.discovery import discover
from app.storage.paths import is_artifact_id
from app.timefmt import iso, utcnow

MAX_RELATED = 20
MAX_LINKS = 100


def summary(record: ArtifactRecord) -> dict:
    """The short form of an artifact used in lineage answers."""
    return {"id": record.id, "type": record.type, "title": record.title, "created": iso(record.created),
            "deleted_at": iso(record.deleted_at)}


def _summaries(registry: ArtifactRepository, ids: list[str]) -> list[dict]:
    found = registry.get_many(ids)
    return [summary(found[i]) if i in found else {"id": i, "type": None, "title": None, "missing": True}
            for i in ids]


def relationships_of(ctx: RegistryContext, artifact_id: str) -> dict:
    """Links as summaries (ours) and as FlowTime references (artifactId, derivedFrom, derivatives, related)."""
    record = get_artifact(ctx, artifact_id, include_deleted=True)
    with ctx.reading() as registry:
        related = _related(registry, record)
        similar = similar_runs(registry.connection, record, {record.id, *record.derived_from, *record.generates, *related})
        derived, generates = _summaries(registry, record.derived_from), _summaries(registry, record.generates)
        related_items = [*(reference(s, "same-source") for s in _summaries(registry, related)),
                         *(reference(s, "similar-run") for s in _summaries(registry, similar))]
    return {"artifactId": record.id, "artifact_id": record.id,
            "derivedFrom": [reference(s, "model-source" if s["type"] == "model" else "derived-from") for s in derived],
            "derivatives": [reference(s, "derivative") for s in generates],
            "related": related_items, "derived_from": derived, "generates": generates}


def reference(item: dict, relationship_type: str) -> dict:
    """A summary as FlowTime's ArtifactReference: string id, type and title, plus the relationship type."""
    return {**item, "type": item["type"] or "unknown", "title": item["title"] or item["id"],
            "relationshipType": relationship_type}


def _related(registry: ArtifactRepository, record: ArtifactRecord) -> list[str]:
    """Other artifacts derived from the same model(s), then from the same template."""
    linked = {record.id, *record.derived_from, *record.generates}
    found = siblings_and_template_peers(registry.connection, record.derived_from, record.template_id,
                                        MAX_RELATED + len(linked))
    return [i for i in found if i not in linked][:MAX_RELATED]


def lineage_of(ctx: RegistryContext, artifact_id: str, depth: int) -> dict:
    """Nodes and derived_from edges reachable within `depth` steps in both directions."""
    start = get_artifact(ctx, artifact_id, include_deleted=True)
    with ctx.reading() as registry:
        seen, frontier, edges = {start.id}, [start.id], set()
        for _ in range(depth):
            rows = links_touching(registry.connection, frontier)
            edges.update(rows)
            frontier = [i for pair in rows for i in pair if i not in seen]
            seen.update(frontier)
            if not frontier:
                break
        nodes = _summaries(registry, sorted(seen))
    return {"artifact_id": start.id, "depth": depth, "nodes": nodes,
            "edges": [{"from": s, "to": t, "type": "derived_from"} for s, t in sorted(edges)]}


def link(ctx: RegistryContext, artifact_id: str, targets: list[str], actor: str | None = None) -> dict:
    """Record by hand that an artifact derives from others (unknown ids 400, a cycle 409)."""
    _check_ids(targets)
    discover(ctx)
    with ctx.writing(actor=actor) as registry:
        record = require_artifact(registry, artifact_id, include_deleted=False)
        known = registry.get_many(targets)
        unknown = [t for t in targets if t not in known]
        if unknown:
            raise ValidationFailed(f"unknown artifact ids: {', '.join(unknown)}",
                                   details={"derived_from": [f"unknown artifact id: {t}" for t in unknown]})
        cycle = next((t for t in targets if t == record.id or is_ancestor(registry.connection, t, record.id)), None)
        if cycle:
            raise Conflict(f"linking {record.id} to {cycle} would create a cycle",
                           details={"derived_from": [_cycle_reason(record.id, cycle)]})
        manual = list(dict.fromkeys([*record.user_edits.get("derived_from", []), *targets]))
        updated = record.with_user_edits({"derived_from": manual, "edited_at": iso(utcnow())})
        updated.derived_from = list(dict.fromkeys([*record.derived_from, *targets]))
        registry.save(updated)
    return relationships_of(ctx, artifact_id)


def _cycle_reason(artifact_id: str, target: str) -> str:
    return "an artifact cannot derive from itself" if target == artifact_id else f"{target} derives from {artifact_id}"


def _check_ids(targets) -> None:
    if not isinstance(targets, list) or not targets or len(targets) > MAX_LINKS:
        raise ValidationFailed(f"derived_from must be a list of 1..{MAX_LINKS} ids",
                               details={"derived_from": [f"expected a list of 1 to {MAX_LINKS} ids"]})
    bad = [t for t in targets if not is_artifact_id(t)]
    if bad:
        raise ValidationFailed("invalid artifact ids",
                               details={"derived_from": [f"invalid artifact id: {str(b)[:200]}" for b in bad]})
