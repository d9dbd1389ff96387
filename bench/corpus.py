"""Benchmark corpora: N synthetic artifact rows bulk-loaded in-process, and real run folders for scans."""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from common import git_commit  # (importing common puts the repository on sys.path)
from vocabulary import common_word, tag_draws, word_draws

from app.config import Config
from app.demo.seed import NODE_NAMES
from app.migrate import upgrade
from app.registry.context import RegistryContext
from app.registry.records import CAPABILITIES, ArtifactRecord
from app.runfolder import series_path
from app.timefmt import utcnow

BATCH = 10_000  # rows per transaction on the bulk path
COMMON_WORD = common_word()  # the vocabulary's most frequent word: about 1 artifact in 10 mentions it
RARE_WORD = "zeppelin"  # planted in 1 artifact in 10,000
PLACES = ("Rotterdam", "Frankfurt", "Singapore", "Chicago", "Lyon", "Oslo", "Austin", "Osaka", "Leeds", "Porto")
DESCRIBE = ("{a} scenario for {place}: {b} under {c} load with {n} nodes over {bins} bins. {more}.",
            "Replays the {a} {b} profile observed in {place}; tuned for {c}. {more}.",
            "What-if study of {a} and {b} at {place} ({bins} hourly bins, {n} nodes): {more}. Reviewed by {team}.",
            "{a} model with {c} {b} assumptions; {more}; baseline for the {place} {team} planning cycle.")
TEAMS = ("ops", "planning", "sre", "finance", "logistics")


def _size(rng: random.Random, kind: str) -> int:
    mu = {"run": math.log(400_000), "model": math.log(6_000), "telemetry": math.log(20_000_000)}[kind]
    return int(rng.lognormvariate(mu, 1.1))


def generate(count: int, seed: int = 11) -> Iterator[ArtifactRecord]:
    """`count` realistic records: 70/20/10 run/model/telemetry, 1-4 Zipf tags of 300, two years of dates.

    Titles and descriptions draw Zipf-weighted from the vocabulary (vocabulary.py: ~5,300 real words).

    They come oldest first, as a registry meets its history: a rescan lists run_<timestamp> folders
    in name order, an index import in creation order.
    """
    rng = random.Random(seed)
    figures = random.Random(seed + 1)  # its own stream: the other fields stay those of generator 4
    draw_words, draw_tags = word_draws(), tag_draws()
    now = utcnow().replace(microsecond=0)
    ages = sorted((rng.randint(0, 2 * 365 * 86400) for _ in range(count)), reverse=True)
    models: list[str] = []
    for index, age in enumerate(ages):
        roll = rng.random()
        kind = "run" if roll < 0.7 else "model" if roll < 0.9 else "telemetry"
        created = now - timedelta(seconds=age)
        a, b, c = draw_words.distinct(rng, 3)
        more = " ".join(draw_words.draw(rng, rng.randint(3, 8)))
        nodes = rng.sample(NODE_NAMES, rng.randint(1, 5))
        bins = rng.choice((12, 24, 48, 168))
        place = rng.choice(PLACES)
        title = f"{a.title()} {b} {c} - {place} #{index}"
        description = rng.choice(DESCRIBE).format(a=a, b=b, c=c, place=place, n=len(nodes), bins=bins,
                                                  team=rng.choice(TEAMS), more=more)
        if index % 10_000 == 4_321:
            description += f" Includes the {RARE_WORD} hangar feed."
        prefix = {"run": "run", "model": "model", "telemetry": "tel"}[kind]
        artifact_id = f"{prefix}_{created:%Y%m%dT%H%M%SZ}_{rng.getrandbits(32):08x}"
        path = {"run": artifact_id, "model": f"models/{artifact_id}", "telemetry": f"telemetry/{artifact_id}"}[kind]
        series = [f"{n}@{n.upper()}@DEFAULT" for n in nodes]
        metadata = {"grid": {"bins": bins, "binMinutes": 60, "timezone": "UTC"}, "nodes": nodes}
        derived: list[str] = []
        if kind == "run":
            metadata.update(series=series, engine_version="1.4.2", rng_seed=rng.randint(0, 10**6),
                            model_hash=f"sha256:{rng.getrandbits(128):032x}")
            if models and rng.random() < 0.2:
                derived = [rng.choice(models)]
                metadata["provenance"] = {"model_id": derived[0]}
        elif kind == "model":
            models.append(artifact_id)
        else:
            metadata.update(rows=rng.randint(1_000, 500_000), columns=nodes, format="csv")
        names = _file_names(kind, series, rng.randint(3, 12))
        yield ArtifactRecord(
            id=artifact_id, type=kind, title=title, path=path, created=created,
            modified=created + timedelta(seconds=rng.randint(0, 3600)),
            source={"run": rng.choice(("engine", "engine", "engine", "sim")), "model": "engine",
                    "telemetry": "import"}[kind],
            description=description, tags=draw_tags.distinct(rng, rng.randint(1, 4)),
            capabilities=list(CAPABILITIES[kind]), size_bytes=_size(rng, kind),
            file_count=len(names), series_count=len(series) if kind == "run" else 0, file_names=names,
            metadata=metadata, derived_from=derived, fingerprint=f"{rng.getrandbits(64):016x}",
            series_summary=None if kind == "model" else _summaries(figures, nodes, bins))


def _summaries(rng: random.Random, nodes: list[str], bins: int) -> dict:
    """Per-series {points, min, max, mean, sum, last}, means log-normal around 20 (as a run's would be)."""
    out = {}
    for node in nodes:
        mean = rng.lognormvariate(math.log(20), 1.0)
        low, high = mean * rng.random(), mean * (1 + 2 * rng.random())
        out[node] = {"points": bins, "min": round(low, 3), "max": round(high, 3), "mean": round(mean, 3),
                     "sum": round(mean * bins, 3), "last": round(rng.uniform(low, high), 3)}
    return out


def _file_names(kind: str, series: list[str], count: int) -> list[str]:
    """The relative file names a registered folder of this kind holds (as the scanner records them)."""
    if kind == "run":
        names = ["manifest.json", "run.json", "series/index.json", "spec.yaml", *(series_path(s) for s in series)]
    else:
        names = ["metadata.json", *(f"data-{i}.csv" for i in range(count))]
    return sorted(names)[:max(count, 1)]


def context(data_dir: Path, database_url: str = "", **overrides) -> RegistryContext:
    """A RegistryContext on data_dir (and database_url), mirror writes left to the caller."""
    values = {"data_dir": str(data_dir), "auto_discover": False, "mirror_process": False, **overrides}
    if database_url:
        values["database_url"] = database_url
    ctx = RegistryContext.build(Config.from_env().with_overrides(values))
    ctx.mirror.background = False
    return ctx


def bulk_load(ctx: RegistryContext, count: int, seed: int = 11) -> dict:
    """Register generated records through ArtifactRepository.add_many in batches; returns the rate.

    The rate counts the registry's time only (row values, inserts, search index, commit), not the
    time the benchmark spends inventing the synthetic records.
    """
    start = time.perf_counter()
    batch: list[ArtifactRecord] = []
    loaded, registering = 0, 0.0
    for record in generate(count, seed):
        batch.append(record)
        if len(batch) >= BATCH:
            registering += _write(ctx, batch)
            loaded += BATCH
    loaded += len(batch)
    registering += _write(ctx, batch)
    return {"count": loaded, "seconds": round(registering, 2), "per_s": round(loaded / registering, 1),
            "wall_s": round(time.perf_counter() - start, 2), "batch": BATCH}


def _write(ctx: RegistryContext, batch: list[ArtifactRecord]) -> float:
    """One bulk transaction; returns its duration in seconds."""
    if not batch:
        return 0.0
    start = time.perf_counter()
    with ctx.writing(bulk=True) as registry:
        registry.add_many(batch)  # the registry's bulk path (seeding and rescans use it too)
    took = time.perf_counter() - start
    batch.clear()
    return took


GENERATOR = 5  # bump when generate() changes: cached corpora of another generator are rebuilt


def sqlite_corpus(root: Path, count: int, reuse: bool, seed: int = 11) -> tuple[Path, dict | None]:
    """data dir `<root>/corpus-<count>` with registry.db holding the corpus; (dir, load stats of its build)."""
    data_dir = root / f"corpus-{count}"
    marker = data_dir / "corpus.json"
    wanted = {"count": count, "seed": seed, "generator": GENERATOR}
    if reuse and marker.exists():
        cached = json.loads(marker.read_text())
        if {k: cached.get(k) for k in wanted} == wanted:
            print(f"reusing corpus {data_dir} (built by commit {cached.get('commit')})", flush=True)
            upgrade(f"sqlite:///{data_dir / 'registry.db'}")
            return data_dir, {**cached.get("load", {}), "built_by": cached.get("commit")}
    load = _load_fresh(data_dir, count, seed)
    print(f"bulk-loaded {load['count']} artifacts into SQLite in {load['seconds']} s ({load['per_s']}/s)",
          flush=True)
    marker.write_text(json.dumps({**wanted, "load": load, "commit": git_commit()}))
    return data_dir, load


def _load_fresh(data_dir: Path, count: int, seed: int) -> dict:
    """A new, migrated SQLite registry in `data_dir` with `count` generated artifacts; the load stats."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    ctx = context(data_dir)
    try:
        upgrade(ctx.config.database_url)
        return bulk_load(ctx, count, seed)
    finally:
        ctx.close()


def rate_probe(root: Path, corpus_dir: Path, count: int, seed: int = 12) -> dict:
    """Bulk-load `count` more rows (dates spread over the corpus' two years) into a copy of the corpus."""
    data_dir = root / "rate-probe"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    try:
        shutil.copyfile(corpus_dir / "registry.db", data_dir / "registry.db")
        ctx = context(data_dir)
        try:
            upgrade(ctx.config.database_url)
            with ctx.reading() as registry:
                existing = registry.connection.exec_driver_sql("SELECT count(*) FROM artifacts").scalar()
            load = {**bulk_load(ctx, count, seed), "into_existing": existing}
        finally:
            ctx.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"bulk registration into the {existing}-artifact corpus: {load}", flush=True)
    return load


def run_folders(root: Path, count: int, reuse: bool) -> tuple[Path, float | None]:
    """`<root>/folders-<count>`: real synthetic run folders (app.demo.seed), no database left behind."""
    from app.demo.seed import seed_synthetic

    data_dir = root / f"folders-{count}"
    marker = data_dir / ".bench-folders.json"
    if reuse and marker.exists():
        print(f"reusing run folders {data_dir}", flush=True)
        return data_dir, None
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    scratch = root / "folders-seed-scratch.db"
    scratch.unlink(missing_ok=True)
    url = f"sqlite:///{scratch}"
    upgrade(url)
    ctx = context(data_dir, url)
    start = time.perf_counter()
    try:
        seed_synthetic(ctx, count)
    finally:
        ctx.close()
    seconds = time.perf_counter() - start
    for path in root.glob("folders-seed-scratch.db*"):
        path.unlink()
    marker.write_text(json.dumps({"count": count, "seconds": seconds}))
    print(f"wrote {count} run folders in {seconds:.1f} s", flush=True)
    return data_dir, seconds
