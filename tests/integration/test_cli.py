"""The `flask registry ...` and `flask engine ...` commands."""

import json
from datetime import timedelta

import pytest

from app import create_app
from app.errors import NotFound
from app.timefmt import utcnow
from tests.conftest import EXAMPLES, SAMPLE_DATA, make_app
from tests.helpers import write_run


@pytest.fixture
def data_dir(sample_data_dir):
    return sample_data_dir


def invoke(runner, *args, input=None):
    result = runner.invoke(args=list(args), input=input, catch_exceptions=False)
    return result


def test_rescan_prints_summary_and_skipped(runner):
    result = invoke(runner, "registry", "rescan")
    assert result.exit_code == 0
    assert "added 6" in result.output and "skipped run_20250924T000000Z_badjson0" in result.output


def test_rebuild_export_and_check(runner, data_dir):
    assert invoke(runner, "registry", "rebuild").exit_code == 0
    assert invoke(runner, "registry", "export-index").exit_code == 0
    doc = json.loads((data_dir / "registry-index.json").read_text())
    assert doc["artifact_count"] == 6
    check = invoke(runner, "registry", "check")
    assert check.exit_code == 0, check.output


def test_check_reports_a_mismatch(runner, data_dir):
    invoke(runner, "registry", "rebuild")
    write_run(data_dir, "run_20260101T000000Z_0000abcd")
    result = runner.invoke(args=["registry", "check"])
    assert result.exit_code == 1 and "on disk but not indexed" in result.output


def test_import_index_in_dotnet_format(runner, ctx):
    invoke(runner, "registry", "rescan")
    result = invoke(runner, "registry", "import-index", str(SAMPLE_DATA / "registry-index.json"))
    assert result.exit_code == 0
    from app.registry.service import get_artifact

    assert get_artifact(ctx, "run_20250921T161133Z_0bcdbb6f").title == "Hello baseline (reviewed)"


def test_import_index_rejects_bad_files(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert runner.invoke(args=["registry", "import-index", str(bad)]).exit_code != 0


def test_stats_is_json(runner):
    invoke(runner, "registry", "rescan")
    assert json.loads(invoke(runner, "registry", "stats").output)["total"] == 6


def test_seed_count_writes_real_folders(runner, data_dir):
    result = invoke(runner, "registry", "seed", "--count", "25")
    assert result.exit_code == 0 and "seeded 25" in result.output
    assert invoke(runner, "registry", "check").exit_code == 1  # the sample folders are not indexed yet
    invoke(runner, "registry", "rescan")
    assert invoke(runner, "registry", "check").exit_code == 0


def test_purge_needs_scope_and_confirmation(runner, ctx, data_dir):
    from app.registry.service import delete_artifact, get_artifact

    invoke(runner, "registry", "rescan")
    assert runner.invoke(args=["registry", "purge"]).exit_code != 0  # --older-than is required
    delete_artifact(ctx, "run_deterministic_4bbc610e")
    with ctx.writing() as registry:  # pretend it was deleted 40 days ago
        record = registry.get("run_deterministic_4bbc610e")
        record.user_edits["deleted_at"] = (utcnow() - timedelta(days=40)).isoformat() + "Z"
        registry.save(record.with_user_edits({}))
    dry = invoke(runner, "registry", "purge", "--older-than", "30d", "--dry-run")
    assert "will permanently remove 1" in dry.output and (data_dir / "run_deterministic_4bbc610e").exists()
    declined = runner.invoke(args=["registry", "purge", "--older-than", "30d"], input="n\n")
    assert declined.exit_code != 0 and (data_dir / "run_deterministic_4bbc610e").exists()
    done = invoke(runner, "registry", "purge", "--older-than", "30d", "--yes")
    assert "purged 1" in done.output and not (data_dir / "run_deterministic_4bbc610e").exists()
    with pytest.raises(NotFound):
        get_artifact(ctx, "run_deterministic_4bbc610e", include_deleted=True)


def test_retention_soft_deletes_old_artifacts_except_kept(runner, ctx):
    from app.registry.service import update_artifact

    invoke(runner, "registry", "rescan")
    update_artifact(ctx, "run_20250921T161133Z_0bcdbb6f", {"tags": ["keep"]})
    assert runner.invoke(args=["registry", "retention", "--older-than", "soon"]).exit_code != 0
    result = invoke(runner, "registry", "retention", "--older-than", "90d", "--type", "run", "--keep-tag", "keep",
                    "--yes")
    assert "soft-deleted 5" in result.output
    assert json.loads(invoke(runner, "registry", "stats").output)["total"] == 1


def test_engine_run_prints_the_run_id(runner, ctx):
    result = invoke(runner, "engine", "run", str(EXAMPLES / "hello.yaml"), "--seed", "1")
    run_id = result.output.strip()
    assert result.exit_code == 0 and run_id.startswith("run_")
    from app.registry.service import get_artifact

    assert get_artifact(ctx, run_id).metadata["rng_seed"] == 1
    bad = runner.invoke(args=["engine", "run", str(SAMPLE_DATA / "scratch" / "notes.txt")])
    assert bad.exit_code != 0 and "Error" in bad.output


def test_copy_to_an_unreachable_database_is_one_line(runner):
    url = "postgresql+psycopg://registry:s3cret@127.0.0.1:9/registry"
    result = invoke(runner, "registry", "copy", "--to", url)
    assert result.exit_code == 1
    assert result.output.strip() == result.output.strip().splitlines()[0]
    assert "cannot connect to postgresql+psycopg://registry:***@127.0.0.1:9/registry: " in result.output
    assert "s3cret" not in result.output


def test_db_upgrade_of_an_unopenable_database_is_one_line(data_dir, tmp_path):
    (tmp_path / "file").write_text("a file where a directory should be")
    app = make_app(data_dir)
    app.config["FLOWTIME"] = app.config["FLOWTIME"].with_overrides(
        {"database_url": f"sqlite:///{tmp_path / 'file' / 'registry.db'}"})
    result = invoke(app.test_cli_runner(), "db", "upgrade")
    assert result.exit_code == 1 and "cannot connect to sqlite:///" in result.output
    app.extensions["flowtime"].close()


def test_a_command_on_an_unmigrated_database_says_to_upgrade(data_dir, tmp_path):
    app = create_app({"data_dir": data_dir, "testing": True, "mirror_process": False,
                      "database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    result = invoke(app.test_cli_runner(), "registry", "stats")
    assert result.exit_code == 1 and "is not migrated to" in result.output and "db upgrade" in result.output
    app.extensions["flowtime"].close()
