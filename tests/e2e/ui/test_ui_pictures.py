"""Pictures: the lineage graph with clickable nodes, the model DAG; long sections bounded and filterable."""

from __future__ import annotations

import re

import requests

from tests.e2e.ui.ui_helpers import banner_hidden, expect, shoot

MANY = "grid: {bins: 3, binMinutes: 60}\nnodes:\n" + "".join(
    f"  - {{id: series_{i:02d}, kind: const, values: [{i}, {i}, {i}]}}\n" for i in range(12))


def test_lineage_graph_nodes_open_their_artifacts(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['model_run']}")
    graph = page.locator("#lineage-graph svg.graph")
    expect(graph).to_be_visible()
    expect(graph.locator(".graph-node")).to_have_count(2)
    expect(graph.locator(".graph-node.is-current")).to_have_count(1)
    shoot(page, output_dir, "detail-lineage-graph")
    link = graph.locator(f"a.graph-link[href='/artifacts/{seeded['model']}']")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/artifacts/{seeded['model']}$"))
    expect(page.locator("#lineage-graph .graph-node.is-current")).to_have_count(1)
    expect(page.locator(f"#lineage-graph a.graph-link[href='/artifacts/{seeded['model_run']}']")).to_have_count(1)
    page.console.assert_clean()


def test_model_graph_is_drawn_as_a_dag(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['model']}")
    nodes = page.locator("#model-graph .graph-node")
    expect(nodes).to_have_count(3)
    assert page.locator("#model-graph .graph-edge").count() == 3  # demand->served, demand->unserved, served->unserved
    page.goto(f"/artifacts/{seeded['it']}")
    expect(page.locator("#model-graph .graph-node")).to_have_count(10)
    shoot(page, output_dir, "detail-model-graph")
    banner_hidden(page)
    page.console.assert_clean()


def test_many_series_are_filterable_and_many_runs_bounded(page, live_server):
    base, seeded = live_server
    run = requests.post(f"{base}/v1/run?seed=3", data=MANY, headers={"Content-Type": "text/plain"}, timeout=30)
    assert run.status_code == 200, run.text
    page.goto(f"/artifacts/{run.json()['runId']}")
    labels = page.locator(".series-list label")
    expect(labels).to_have_count(12)
    page.locator("#series-filter").fill("series_1")
    expect(page.locator(".series-list label:visible")).to_have_count(2)  # series_10, series_11
    expect(page.locator(".series-filter [role=status]")).to_have_text("2 of 12 match")
    page.locator(".series-list label:visible input").first.check()
    expect(page.locator("#series-section [role=status]").first).to_contain_text("5 of 12 series")
    model = seeded["model2"]
    earlier = len(requests.get(f"{base}/v1/artifacts/{model}", timeout=30).json()["relationships"]["generates"])
    for seed in range(21):
        assert requests.post(f"{base}/v1/models/{model}/run?seed={300 + seed}", timeout=30).status_code == 200
    page.goto(f"/artifacts/{model}")
    expect(page.locator("#generates li")).to_have_count(20)
    page.locator("#generates .show-all").click()
    expect(page.locator("#generates li")).to_have_count(21 + earlier)  # other tests of the session run it too
    expect(page.locator("#lineage-graph .kind-more")).to_have_text(re.compile(r"\+\d+ more"))
    page.console.assert_clean()
