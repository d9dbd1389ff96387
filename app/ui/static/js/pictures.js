// The lineage section (a graph with clickable nodes, then bounded lists) and the model's node graph.
import { api, apiText, endpoints } from "./api.js";
import { lineageGraph, modelGraph } from "./graph.js";
import { clear, el, formatCount, showError, typeBadge } from "./common.js";

const LIST_LIMIT = 20;  // longer lists (151 runs of one model) show this many until asked for all

function boundedList(items) {
  const row = (a) => el("li", {}, typeBadge(a.type || "unknown"), " ",
    el("a", { href: `/artifacts/${encodeURIComponent(a.id)}` }, a.title || a.id),
    a.deleted_at ? el("span", { class: "badge badge-deleted" }, "deleted") : null);
  const list = el("ul", {}, items.slice(0, LIST_LIMIT).map(row));
  if (items.length <= LIST_LIMIT) return list;
  const more = el("button", { type: "button", class: "link-button show-all" }, `Show all ${formatCount(items.length)}`);
  more.addEventListener("click", () => {
    list.append(...items.slice(LIST_LIMIT).map(row));
    more.remove();
  });
  return el("div", {}, list, more);
}

/** Lineage: the picture from /lineage (two steps each way), then derived-from, generates and related lists. */
export function lineageSection(artifact) {
  const picture = el("div", { class: "graph-wrap", id: "lineage-graph", tabindex: "0", role: "region", "aria-label": "Lineage graph" }, el("p", { class: "muted loading" }, "Loading the lineage…"));
  const body = el("div", {});
  api(endpoints.lineage(artifact.id, 2))
    .then((lineage) => {
      if ((lineage.nodes || []).length <= 1) clear(picture).append(el("p", { class: "muted" }, "No ancestors or descendants."));
      else clear(picture).append(lineageGraph(lineage));
    })
    .catch((err) => {
      clear(picture).append(el("p", { class: "muted" }, "The lineage picture is unavailable."));
      showError(err, "Loading lineage");
    });
  api(endpoints.relationships(artifact.id))
    .then((rel) => {
      const group = (label, items, id) => el("div", { class: "lineage-group", id },
        el("h3", {}, `${label} (${formatCount(items.length)})`),
        items.length ? boundedList(items) : el("p", { class: "muted" }, "None"));
      clear(body).append(
        group("Derived from", rel.derived_from || [], "derived-from"),
        group("Generates", rel.generates || [], "generates"),
        group("Related", rel.related || [], "related"));
    })
    .catch((err) => {
      clear(body).append(el("p", { class: "muted" }, "Unavailable."));
      showError(err, "Loading lineage");
    });
  return el("section", { class: "panel", "aria-labelledby": "lineage-heading", id: "lineage-section" },
    el("h2", { id: "lineage-heading" }, "Lineage"), picture, body);
}

/** The nodes of a model as a DAG: a run's spec.yaml through /v1/graph; a model's catalog.json (the same graph,
 * written when it was registered: /v1/graph takes a plain model, not the `kind: Model` document). */
export function graphSection(artifact) {
  const names = new Set((artifact.file_details || []).map((f) => f.name));
  const source = artifact.type === "run" && names.has("spec.yaml") ? "spec"
    : artifact.type === "model" && names.has("catalog.json") ? "catalog" : null;
  if (!source) return null;
  const picture = el("div", { class: "graph-wrap", id: "model-graph", tabindex: "0", role: "region", "aria-label": "Model graph (scrolls)" }, el("p", { class: "muted loading" }, "Loading the model graph…"));
  const load = source === "spec"
    ? apiText(endpoints.file(artifact.id, "spec.yaml")).then((text) =>
      api(endpoints.graph(), { method: "POST", body: text, headers: { "Content-Type": "text/plain" } })).then((g) => g.edges)
    : api(endpoints.file(artifact.id, "catalog.json")).then((c) => c.nodes || []);
  load
    .then((nodes) => clear(picture).append(nodes.length ? modelGraph(nodes) : el("p", { class: "muted" }, "No nodes.")))
    .catch((err) => {
      clear(picture).append(el("p", { class: "muted" }, "The model graph is unavailable."));
      showError(err, "Drawing the model graph");
    });
  return el("section", { class: "panel", "aria-labelledby": "graph-heading", id: "graph-section" },
    el("h2", { id: "graph-heading" }, "Model graph"), picture);
}
