"""Templates, Model artifacts and runs of stored models (with lineage both ways)."""

import json

import pytest
import yaml

from tests.conftest import EXAMPLES


def instantiate(client, template_id="baseline", **body):
    return client.post(f"/v1/templates/{template_id}/instantiate", json=body)


def test_catalogue_lists_four_templates_with_parameter_definitions(client):
    body = client.get("/v1/templates").json
    ids = {t["id"] for t in body["templates"]}
    assert {"baseline", "it-system", "transportation", "manufacturing"} <= ids
    for template in body["templates"]:
        assert {"id", "title", "description", "version", "tags", "parameters"} <= set(template)
        for parameter in template["parameters"]:
            assert parameter["type"] in ("integer", "number", "string", "array")
            assert {"name", "title", "description", "default"} <= set(parameter)
    detail = client.get("/v1/templates/it-system").json
    assert "${request_profile}" in detail["model"]
    assert client.get("/v1/templates/nope").status_code == 404


@pytest.mark.parametrize("template_id", ["baseline", "it-system", "transportation", "manufacturing"])
def test_every_template_instantiates_with_defaults_and_runs(client, template_id):
    created = instantiate(client, template_id)
    assert created.status_code == 201, created.json
    model_id = created.json["modelId"]
    artifact = created.json["artifact"]
    assert artifact["type"] == "model" and artifact["source"] == "sim"
    assert artifact["capabilities"] == ["run", "compare"]
    run = client.post(f"/v1/models/{model_id}/run?seed=3")
    assert run.status_code == 200, run.json
    assert client.get(f"/v1/artifacts/{run.json['runId']}").json["relationships"]["derived_from"] == [model_id]


def test_instantiated_model_files_and_provenance(client, ctx):
    body = instantiate(client, parameters={"bins": 4, "demand": 10, "efficiency": 0.5}, title="Half served",
                       tags=["what-if"]).json
    folder = body["artifact"]["path"]
    document = yaml.safe_load(ctx.storage.read_bytes(f"{folder}/model-artifact.yaml"))
    assert document["kind"] == "Model" and document["schemaVersion"] == 1
    assert document["metadata"]["title"] == "Half served" and document["metadata"]["tags"] == ["what-if"]
    assert document["spec"]["grid"] == {"bins": 4, "binMinutes": 60}
    assert document["provenance"]["templateId"] == "baseline"
    assert document["provenance"]["parameters"]["efficiency"] == 0.5
    catalog = json.loads(ctx.storage.read_bytes(f"{folder}/catalog.json"))
    assert catalog["order"] == ["demand", "served", "unserved"]
    assert {"from": "demand", "to": "served"} in catalog["edges"]
    assert catalog["nodes"][1] == {"id": "served", "kind": "expr", "inputs": ["demand"]}
    run = client.post(f"/v1/run?model_id={body['modelId']}").json
    assert run["series"]["served"] == [5, 5, 5, 5]
    listed = client.get("/v1/artifacts?template_id=baseline&type=model").json
    assert [a["id"] for a in listed["artifacts"]] == [body["modelId"]]
    assert client.get(f"/v1/artifacts?model_id={body['modelId']}").json["total"] == 1


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        ({"nope": 1}, "nope"), ({"bins": "24"}, "bins"), ({"bins": 2.5}, "bins"), ({"bins": 0}, "bins"),
        ({"bins": 20000}, "bins"), ({"efficiency": 1.5}, "efficiency"), ({"demand": -1}, "demand"),
        ({"demand": True}, "demand"), ({"demand": None}, "demand"),
    ],
)
def test_bad_parameters_are_400_naming_them(client, ctx, parameters, name):
    response = instantiate(client, parameters=parameters)
    assert response.status_code == 400 and name in response.json["details"]
    assert ctx.storage.list_folders("models") == []


def test_array_parameter_checks_and_model_validation(client):
    bad_item = instantiate(client, "it-system", parameters={"request_profile": [1, "x"]})
    assert bad_item.status_code == 400 and "request_profile" in bad_item.json["details"]
    wrong_length = instantiate(client, "it-system", parameters={"request_profile": [1, 2, 3]})
    assert wrong_length.status_code == 400 and wrong_length.json["code"] == "invalid_model"


def test_bad_instantiate_bodies(client):
    assert instantiate(client, parameters=[1]).status_code == 400
    assert instantiate(client, title="").status_code == 400
    assert instantiate(client, tags=["bad tag"]).status_code == 400
    assert instantiate(client, surprise=1).status_code == 400


def test_upload_plain_and_kind_model(client):
    plain = client.post("/v1/models", data=(EXAMPLES / "shift-test.yaml").read_text(), content_type="text/plain")
    assert plain.status_code == 201 and plain.json["artifact"]["source"] == "import"
    document = yaml.safe_dump({"kind": "Model", "schemaVersion": 1,
                               "metadata": {"title": "Uploaded doc", "tags": ["x"]},
                               "spec": {"grid": {"bins": 2, "binMinutes": 60},
                                        "nodes": [{"id": "a", "kind": "const", "values": [1, 2]}]}})
    doc = client.post("/v1/models", data=document, content_type="application/yaml")
    assert doc.status_code == 201 and doc.json["artifact"]["title"] == "Uploaded doc"
    broken = client.post("/v1/models", data="grid: {bins: 2}\nnodes: []\n", content_type="text/plain")
    assert broken.status_code == 400


def test_running_a_non_model_or_unknown_model(client):
    run_id = client.post("/v1/run", data=(EXAMPLES / "hello.yaml").read_text(),
                         content_type="text/plain").json["runId"]
    assert client.post(f"/v1/models/{run_id}/run").status_code == 400
    assert client.post("/v1/models/model_20990101T000000Z_00000000/run").status_code == 404
    assert client.post("/v1/run?model_id=model_20990101T000000Z_00000000").status_code == 404


def test_runs_of_a_model_are_titled_by_the_model_its_parameters_and_seed(client):
    """151 runs of one model are not 151 identical rows: title, distinguishing parameters, seed."""
    model_id = instantiate(client, parameters={"bins": 12, "demand": 40}, title="Checkout peak").json["modelId"]
    titles = []
    for seed in (5, 6):
        run_id = client.post(f"/v1/models/{model_id}/run?seed={seed}").json["runId"]
        titles.append(client.get(f"/v1/artifacts/{run_id}").json["title"])
    assert titles == ["Checkout peak · bins 12, demand 40 · seed 5", "Checkout peak · bins 12, demand 40 · seed 6"]
    via_run = client.post(f"/v1/run?model_id={model_id}").json["runId"]  # no seed, defaults left out
    assert client.get(f"/v1/artifacts/{via_run}").json["title"] == "Checkout peak · bins 12, demand 40"
    found = client.get("/v1/artifacts", query_string={"search": "checkout demand 40", "type": "run"}).json
    assert {a["title"] for a in found["artifacts"]} == {*titles, "Checkout peak · bins 12, demand 40"}
    summary = client.get(f"/v1/runs/{via_run}").json
    assert summary["title"] == "Checkout peak · bins 12, demand 40"


def test_run_titles_of_uploaded_and_default_models(client):
    uploaded = client.post("/v1/models", data=(EXAMPLES / "hello.yaml").read_text(),
                           headers={"Content-Type": "text/plain"})
    assert uploaded.status_code == 201, uploaded.json
    model = uploaded.json["artifact"]
    run_id = client.post(f"/v1/models/{model['id']}/run?seed=1").json["runId"]
    assert client.get(f"/v1/artifacts/{run_id}").json["title"] == f"{model['title']} · seed 1"
    defaults = instantiate(client).json["modelId"]  # nothing distinguishes it from the template
    run_id = client.post(f"/v1/models/{defaults}/run?seed=2").json["runId"]
    assert client.get(f"/v1/artifacts/{run_id}").json["title"] == "Baseline demand and service · seed 2"


def test_a_long_model_title_still_gives_a_valid_run_title(client):
    model_id = instantiate(client, parameters={"demand": 7}, title="x" * 200).json["modelId"]
    run_id = client.post(f"/v1/models/{model_id}/run?seed=9").json["runId"]
    title = client.get(f"/v1/artifacts/{run_id}").json["title"]
    assert len(title) == 200 and title.endswith("…")
