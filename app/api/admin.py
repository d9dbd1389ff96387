"""/v1/artifacts rescan and stats."""

from __future__ import annotations

from app.api import Blueprint, context
from app.api.schemas import RescanSchema, StatsSchema
from app.registry.stats import registry_stats
from app.registry.sync.rescan import rescan

blp = Blueprint("admin", __name__, url_prefix="/v1/artifacts", description="Rescan and statistics")


@blp.route("/rescan", methods=["POST"])
@blp.response(200, RescanSchema)
@blp.errors(409)
def rescan_artifacts():
    """Re-read the data directory (one at a time; a concurrent rescan is a 409)."""
    return rescan(context()).as_dict()


@blp.route("/index", methods=["POST"])
@blp.response(200, RescanSchema)
@blp.errors(409)
def index_artifacts():
    """Alias of rescan (the FlowTime .NET route)."""
    return rescan(context()).as_dict()


@blp.route("/stats", methods=["GET"])
@blp.response(200, StatsSchema)
def stats():
    """Counts, sizes, top tags, skipped folders and mirror state."""
    return registry_stats(context())
