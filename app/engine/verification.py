"""Verify that a run reproduces: re-run its spec.yaml with its manifest's seed in a scratch folder and compare
every series file's SHA-256 with manifest.seriesHashes (and with the stored file).

The scratch folder is a dot-named temp folder in the data directory (never an artifact, swept at start-up
if a crash leaves it) and is removed whatever happens, the engine failing included.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from app.engine import ENGINE_VERSION, evaluate, load_model, write_run
from app.engine.numfmt import sha256_tag
from app.errors import NotFound, NotVerifiable, RegistryError
from app.registry.context import RegistryContext
from app.registry.records import ArtifactRecord
from app.registry.service import get_artifact, list_artifacts, record_verification
from app.registry.store.listing import ListQuery
from app.runfolder import MANIFEST_JSON, SPEC_YAML, series_path
from app.storage.local import LocalStorage
from app.strictjson import NotStrictJSON
from app.strictjson import loads as strict_loads
from app.timefmt import iso, utcnow

log = logging.getLogger(__name__)
SCRATCH_PREFIX = ".tmp-verify-"
MAX_FILE_BYTES = 64 * 1024 * 1024
PAGE = 1000


def verify_run(ctx: RegistryContext, artifact_id: str) -> dict:
    """Re-run one run artifact and store the verdict with it; 409 when it is not a run or lacks spec or seed."""
    record = get_artifact(ctx, artifact_id)
    spec_text, seed, hashes = _inputs(ctx, record)
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=ctx.config.data_dir))
    try:
        verdict = _compare(ctx, record, spec_text, seed, hashes, LocalStorage(scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    record_verification(ctx, record.id, verdict)
    return verdict


def verification_targets(ctx: RegistryContext, types: list[str]) -> Iterator[str]:
    """Ids of every live artifact of these types (archived included), in id order."""
    cursor = None
    while True:
        query = ListQuery(types=types, include_archived=True, sort="id", limit=PAGE, cursor=cursor)
        page = list_artifacts(ctx, query)
        yield from page.ids
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _refuse(record: ArtifactRecord, reason: str, message: str) -> NotVerifiable:
    # `reason` stays a machine-readable word (documented: not_a_run, no_spec, ...); `id` says it in words
    return NotVerifiable(f"artifact {record.id} cannot be verified: {message}",
                         details={"id": [message], "reason": [reason]})


def _read(ctx: RegistryContext, record: ArtifactRecord, name: str) -> bytes | None:
    try:
        return ctx.storage.read_bytes(f"{record.path}/{name}", limit=MAX_FILE_BYTES)
    except (NotFound, OSError):
        return None


def _inputs(ctx: RegistryContext, record: ArtifactRecord) -> tuple[str, int, dict[str, str]]:
    """(spec text, seed, series hashes) to re-run from, or the 409 saying which is missing."""
    if record.type != "run":
        raise _refuse(record, "not_a_run", f"it is a {record.type}, not a run")
    spec = _read(ctx, record, SPEC_YAML)
    if spec is None:
        raise _refuse(record, "no_spec", f"the run folder has no {SPEC_YAML}")
    raw = _read(ctx, record, MANIFEST_JSON)
    try:
        manifest = strict_loads(raw.decode("utf-8-sig")) if raw is not None else None
    except (UnicodeDecodeError, NotStrictJSON):
        manifest = None
    if not isinstance(manifest, dict):
        raise _refuse(record, "no_seed", f"the run folder has no readable {MANIFEST_JSON} (it holds the seed)")
    seed = (manifest.get("rng") or {}).get("seed") if isinstance(manifest.get("rng"), dict) else None
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise _refuse(record, "no_seed", f"{MANIFEST_JSON} has no rng.seed")
    hashes = manifest.get("seriesHashes")
    if not isinstance(hashes, dict) or not hashes or not all(isinstance(v, str) for v in hashes.values()):
        raise _refuse(record, "no_series_hashes", f"{MANIFEST_JSON} has no seriesHashes to compare with")
    return spec.decode("utf-8", "replace"), seed, hashes


def _compare(ctx: RegistryContext, record: ArtifactRecord, spec_text: str, seed: int, hashes: dict[str, str],
             scratch: LocalStorage) -> dict:
    verdict = {"artifact_id": record.id, "reproducible": False, "checked_series": len(hashes), "mismatched": [],
               "missing": [], "verified_at": iso(utcnow()), "engine_version": ENGINE_VERSION, "differences": [],
               "error": None}
    try:
        spec = load_model(spec_text)
        info = write_run(scratch, spec_text, spec, evaluate(spec), seed=seed)
    except (RegistryError, ValueError, ArithmeticError, TypeError, KeyError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        verdict.update(missing=list(hashes), error=f"the engine could not re-run the spec: {message}"[:1000])
        return verdict
    for sid, expected in hashes.items():
        if sid not in info.series_ids:
            verdict["missing"].append(sid)
            continue
        rerun = scratch.read_bytes(f"{info.key}/{series_path(sid)}")
        difference = _difference(sid, expected, _read(ctx, record, series_path(sid)), rerun)
        if difference is not None:
            verdict["mismatched"].append(sid)
            verdict["differences"].append(difference)
    verdict["reproducible"] = not verdict["mismatched"] and not verdict["missing"]
    return verdict


def _same(tag: str, data: bytes | None) -> bool:
    return data is not None and sha256_tag(data).lower() == tag.strip().lower()


def _difference(sid: str, expected: str, stored: bytes | None, rerun: bytes) -> dict | None:
    """None when the re-run and the stored file both hash to the manifest's value; else what differs, where."""
    rerun_ok, stored_ok = _same(expected, rerun), _same(expected, stored)
    if rerun_ok and stored_ok:
        return None
    if stored is None:
        reason = "the stored series file is missing"
    elif not stored_ok and rerun_ok:
        reason = "the stored file differs from manifest.seriesHashes (the re-run matches it)"
    elif stored_ok:
        reason = "the re-run differs from manifest.seriesHashes and the stored file"
    else:
        reason = "neither the stored file nor the re-run matches manifest.seriesHashes"
    line, old, new = first_differing_line(stored or b"", rerun)
    return {"series": sid, "reason": reason, "line": line, "expected": old, "actual": new}


def first_differing_line(stored: bytes, rerun: bytes) -> tuple[int | None, str | None, str | None]:
    """(1-based line number, stored line, re-run line) of the first difference; (None, None, None) if equal."""
    if stored == rerun:
        return None, None, None
    old, new = stored.split(b"\n"), rerun.split(b"\n")
    for number in range(max(len(old), len(new))):
        a = old[number] if number < len(old) else None
        b = new[number] if number < len(new) else None
        if a != b:
            return number + 1, _text(a), _text(b)
    return None, None, None


def _text(line: bytes | None) -> str | None:
    return None if line is None else repr(line.decode("utf-8", "replace"))[1:-1][:200]
