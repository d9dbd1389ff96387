"""`flask registry copy --to`: SQLite to PostgreSQL with user edits, links and tombstones."""

from app.registry.service import delete_artifact, update_artifact
from tests.backends import fresh_database
from tests.conftest import make_app


def test_copy_sqlite_registry_to_postgres(sample_data_dir, postgres_url):
    app = make_app(sample_data_dir)
    ctx = app.extensions["flowtime"]
    runner = app.test_cli_runner()
    runner.invoke(args=["registry", "rescan"])
    update_artifact(ctx, "run_20251002T141500Z_9f8e7d6c", {"title": "Copied edit", "tags": ["moved"]}, actor="tester")
    delete_artifact(ctx, "run_deterministic_4bbc610e")
    target, drop = fresh_database(postgres_url)
    try:
        result = runner.invoke(args=["registry", "copy", "--to", target])
        assert result.exit_code == 0, result.output
        assert "copied 6 artifacts" in result.output
        again = runner.invoke(args=["registry", "copy", "--to", target])
        assert again.exit_code != 0 and "already holds artifacts" in again.output
        copy = make_app(sample_data_dir, database_url=target, auto_discover=False)
        client = copy.test_client()
        edited = client.get("/v1/artifacts/run_20251002T141500Z_9f8e7d6c").json
        assert edited["title"] == "Copied edit" and edited["tags"] == ["moved"]
        assert edited["relationships"]["derived_from"] == ["model_20251002T140000Z_5e5e5e5e"]
        history = client.get("/v1/artifacts/run_20251002T141500Z_9f8e7d6c/history").json["history"]
        assert [(e["actor"], e["changes"]["title"]["to"]) for e in history] == [("tester", "Copied edit")]
        assert client.get("/v1/artifacts/run_deterministic_4bbc610e").status_code == 404
        assert client.get("/v1/artifacts?include_deleted=true&include_archived=true").json["total"] == 6
        assert client.get("/v1/artifacts?search=copied").json["total"] == 1
        assert client.get("/v1/artifacts/stats").json["skipped"] == 1
        copy.extensions["flowtime"].close()
    finally:
        ctx.close()
        drop()
