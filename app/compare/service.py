"""The Compare use case: pick the right comparison for two artifacts and load what it needs."""

from __future__ import annotations

from app.compare import compare_models, compare_series, load_run_series, series_set
from app.errors import BadRequest
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact
from app.sim.models import read_model_spec
from app.storage.paths import validate_artifact_id
from app.telemetry.loader import load_telemetry_series, read_catalog

SERIES_TYPES = ("run", "telemetry")


def compare_artifacts(ctx: RegistryContext, base_id: str, other_id: str, series_filter: list[str] | None,
                      include_values: bool) -> dict:
    """Series comparison for runs and telemetry, a spec diff for two models."""
    validate_artifact_id(other_id)
    base, other = get_artifact(ctx, base_id), get_artifact(ctx, other_id)
    if base.type == "model" and other.type == "model":
        return compare_models(base, read_model_spec(ctx.storage, base.path),
                              other, read_model_spec(ctx.storage, other.path))
    if base.type in SERIES_TYPES and other.type in SERIES_TYPES:
        return compare_series(base, load_series(ctx, base), other, load_series(ctx, other),
                              series_filter or None, include_values, ctx.config.compare_max_values)
    raise BadRequest(f"cannot compare a {base.type} with a {other.type}",
                     details={"other": ["models compare with models; runs and telemetry with each other"]})


def load_series(ctx: RegistryContext, record: ArtifactRecord):
    """The series of a run or a telemetry artifact, ready to compare."""
    if record.type == "run":
        return load_run_series(ctx.storage, record)
    catalog = read_catalog(ctx.storage, record)
    series = load_telemetry_series(ctx.storage, record.path, catalog)
    bin_minutes = catalog.get("bin_minutes")
    return series_set(series, bin_minutes if isinstance(bin_minutes, int) and bin_minutes > 0 else None)
