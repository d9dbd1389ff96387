"""`flask registry ...` commands (the `flask db ...` group lives in app.migrate)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.db import safe_url
from app.demo.seed import seed_demo, seed_synthetic
from app.engine.service import run_spec
from app.engine.verification import verification_targets, verify_run
from app.errors import RegistryError
from app.migrate import db_cli, pending_revision, upgrade
from app.registry import maintenance
from app.registry.context import RegistryContext
from app.registry.copy import copy_registry
from app.registry.service import bulk_delete
from app.registry.stats import registry_stats
from app.registry.sync.apply import RescanReport
from app.registry.sync.index_import import apply_index
from app.registry.sync.recovery import recover_lost_commits
from app.registry.sync.rescan import rebuild, rescan

registry_cli = AppGroup("registry", help="Operate the artifact registry.")


def _ctx(recover: bool = True) -> RegistryContext:
    ctx: RegistryContext = current_app.extensions["flowtime"]
    try:
        behind = pending_revision(ctx.config.database_url)
    except RegistryError as exc:  # the database cannot be reached
        raise click.ClickException(exc.message) from exc
    if behind is not None and recover:
        raise click.ClickException(f"the database {safe_url(ctx.config.database_url)} is not migrated to {behind}: "
                                   "run `flowtime-registry db upgrade` (or `flask --app wsgi db upgrade`) first")
    ctx.mirror.background = False  # one-shot command: sync the mirror explicitly at the end
    if recover:  # a database behind its mirror gets the lost commits back before anything else
        recover_lost_commits(ctx)
    return ctx


def _finish(ctx: RegistryContext) -> None:
    ctx.mirror.sync_here()


def _progress(label: str):
    def wrap(items):
        with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar
    return wrap


def _print_report(report: RescanReport) -> None:
    data = report.as_dict()
    click.echo(", ".join(f"{k} {data[k]}" for k in ("added", "updated", "removed", "restored", "unchanged")))
    click.echo(f"total {report.total} in {report.duration_ms} ms")
    for item in report.skipped:
        click.echo(f"skipped {item['path']}: {item['reason']}")


@registry_cli.command("rescan")
def rescan_command() -> None:
    """Re-read the data directory (progress bar, summary, skipped folders)."""
    ctx = _ctx()
    _print_report(rescan(ctx, _progress("scanning")))
    _finish(ctx)


@registry_cli.command("rebuild")
def rebuild_command() -> None:
    """Recreate the registry from the folders plus registry-index.json (user edits kept)."""
    ctx = _ctx(recover=False)  # a rebuild re-applies registry-index.json itself
    upgrade(ctx.config.database_url)  # the database may have just been moved away (it was corrupt or lost)
    _print_report(rebuild(ctx, _progress("rebuilding")))
    _finish(ctx)


@registry_cli.command("export-index")
def export_index_command() -> None:
    """Write the registry-index.json snapshot now (and compact the journal behind it)."""
    ctx = _ctx()
    ctx.mirror.sync_here(force=True)
    with ctx.reading() as registry:
        generation = registry.state("mirror_generation")
    click.echo(f"registry-index.json written at generation {generation}")


@registry_cli.command("import-index")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_index_command(path: Path) -> None:
    """Import user state from an index file (ours or the FlowTime .NET format)."""
    ctx = _ctx()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path.name} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("artifacts"), list):
        raise click.ClickException(f"{path.name} has no artifacts list")
    report = apply_index(ctx, doc)
    click.echo(f"imported user state for {report.applied} artifacts")
    for artifact_id, reason in report.refused:
        click.echo(f"refused {artifact_id}: {reason}", err=True)
    _finish(ctx)


@registry_cli.command("copy")
@click.option("--to", "target", required=True, help="SQLAlchemy URL of the (empty) target database.")
def copy_command(target: str) -> None:
    """Copy this registry into another database (e.g. SQLite to PostgreSQL), user edits included."""
    ctx = _ctx()
    try:
        copied = copy_registry(ctx, target, _progress("copying"))
    except RegistryError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"copied {copied} artifacts; point FLOWTIME_DATABASE_URL at the new database")


@registry_cli.command("stats")
def stats_command() -> None:
    """Print registry statistics as JSON."""
    click.echo(json.dumps(registry_stats(_ctx()), indent=2))


@registry_cli.command("check")
def check_command() -> None:
    """Check database, full-text index, mirror and disk agree; exits 1 on any mismatch."""
    problems = maintenance.check_registry(_ctx())
    for problem in problems:
        click.echo(f"MISMATCH {problem}")
    if problems:
        sys.exit(1)
    click.echo("ok: database, full-text index, mirror and data directory agree")


@registry_cli.command("seed")
@click.option("--count", type=click.IntRange(1, 2_000_000), help="Synthetic run folders to create.")
@click.option("--demo", is_flag=True, help="A small showcase set.")
@click.option("--if-empty", is_flag=True, help="Only when the registry holds no artifacts.")
def seed_command(count: int | None, demo: bool, if_empty: bool) -> None:
    """Create realistic artifacts as real folders and register them."""
    if not count and not demo:
        raise click.UsageError("give --count N or --demo")
    ctx = _ctx()
    if if_empty and registry_stats(ctx)["total"] + registry_stats(ctx)["deleted"] > 0:
        click.echo("registry is not empty; nothing seeded")
        return
    created = seed_demo(ctx) if demo else seed_synthetic(ctx, count, _progress("seeding"))
    click.echo(f"seeded {created} artifacts")
    _finish(ctx)


@registry_cli.command("purge")
@click.option("--older-than", "older_than", required=True, help="Deleted longer ago than this (30d, 12h).")
@click.option("--dry-run", is_flag=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(older_than: str, dry_run: bool, yes: bool) -> None:
    """Permanently remove soft-deleted artifacts and their files."""
    ctx = _ctx()
    candidates = maintenance.purge_candidates(ctx, _age(older_than))
    click.echo(f"will permanently remove {len(candidates)} soft-deleted artifacts (deleted > {older_than} ago)")
    for item in candidates:
        click.echo(f"  {item['id']} (deleted {item['deleted_at']})")
    if dry_run or not candidates:
        return
    if not yes:
        click.confirm("remove them and their files?", abort=True)
    report = maintenance.purge(ctx, candidates)
    click.echo(f"purged {report.purged}")
    for item in report.refused:
        click.echo(f"not purged {item['id']}: {item['reason']}", err=True)
    _finish(ctx)
    if report.refused:
        raise SystemExit(1)


@registry_cli.command("retention")
@click.option("--older-than", "older_than", required=True, help="Created longer ago than this (90d).")
@click.option("--type", "artifact_type", type=click.Choice(["run", "model", "telemetry"]))
@click.option("--keep-tag", default=None, help="Artifacts with this tag are kept.")
@click.option("--dry-run", is_flag=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def retention_command(older_than: str, artifact_type: str | None, keep_tag: str | None, dry_run: bool,
                      yes: bool) -> None:
    """Soft-delete old artifacts (restorable until purged)."""
    ctx = _ctx()
    candidates = maintenance.retention_candidates(ctx, _age(older_than), artifact_type, keep_tag)
    scope = f"type {artifact_type}" if artifact_type else "all types"
    click.echo(f"will soft-delete {len(candidates)} artifacts created > {older_than} ago ({scope}"
               + (f", keeping tag {keep_tag})" if keep_tag else ")"))
    for item in candidates[:50]:
        click.echo(f"  {item['id']} (created {item['created']})")
    if dry_run or not candidates:
        return
    if not yes:
        click.confirm("soft-delete them?", abort=True)
    outcome = bulk_delete(ctx, [c["id"] for c in candidates], actor="cli: registry retention")
    click.echo(f"soft-deleted {outcome.succeeded}")
    _finish(ctx)


@registry_cli.command("verify")
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every live artifact of --type (default: runs).")
@click.option("--type", "artifact_type", type=click.Choice(["run", "model", "telemetry"]), default="run")
def verify_command(ids: tuple[str, ...], every: bool, artifact_type: str) -> None:
    """Re-run runs from spec.yaml and seed and compare their series hashes; exit 1 if any does not reproduce."""
    ctx = _ctx()
    targets = list(ids) + (list(verification_targets(ctx, [artifact_type])) if every else [])
    if not targets:
        raise click.UsageError("give artifact ids or --all")
    failed, skipped, passed = [], [], 0
    for artifact_id in _progress("verifying")(list(dict.fromkeys(targets))):
        try:
            verdict = verify_run(ctx, artifact_id)
        except RegistryError as exc:
            skipped.append(f"{artifact_id}: {exc.message}")
            continue
        if verdict["reproducible"]:
            passed += 1
        else:
            failed.append(verdict)
    _finish(ctx)
    click.echo(f"reproducible {passed}, not reproducible {len(failed)}, not verifiable {len(skipped)}")
    for verdict in failed:
        click.echo(f"NOT REPRODUCIBLE {verdict['artifact_id']}: " + _why(verdict))
    for line in skipped:
        click.echo(f"skipped {line}")
    if failed:
        sys.exit(1)


def _why(verdict: dict) -> str:
    if verdict.get("error"):
        return verdict["error"]
    parts = [f"{d['series']} line {d['line']}: {d['reason']}" for d in verdict["differences"]]
    parts += [f"{sid}: not produced by the re-run" for sid in verdict["missing"]]
    return "; ".join(parts)


def _age(text: str):
    try:
        return maintenance.parse_age(text)
    except RegistryError as exc:
        raise click.BadParameter(exc.message, param_hint="--older-than") from exc


engine_cli = AppGroup("engine", help="Run FlowTime models.")


@engine_cli.command("run")
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), default=None, help="RNG seed (reproducible runs).")
def engine_run_command(model: Path, seed: int | None) -> None:
    """Run MODEL.yaml like POST /v1/run and print the run id."""
    ctx = _ctx()
    try:
        outcome = run_spec(ctx, model.read_text(encoding="utf-8"), seed=seed)
    except RegistryError as exc:
        raise click.ClickException(exc.message) from exc
    _finish(ctx)
    click.echo(outcome.info.run_id)


def register_commands(app: Flask) -> None:
    """Attach the CLI groups to the app."""
    app.cli.add_command(registry_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(engine_cli)
