// Artifact detail: metadata, inline edit (If-Match), delete/restore/archive, files, charts, spec, lineage, history.
import { abortPageReads, api, apiText, endpoints } from "./api.js";
import { exportsSection } from "./exports.js";
import { historySection } from "./history.js";
import { resultsSection } from "./results.js";
import { graphSection, lineageSection } from "./pictures.js";
import { runChartSection, telemetrySection } from "./series.js";
import {
  $, clear, clearError, clearFieldErrors, el, failureCard, formatBytes, formatDate, formatNumber, notify,
  parseTags, showError, showFieldErrors, startPage, tagList, typeBadge, loadStats,
} from "./common.js";

const artifactId = document.body.dataset.artifactId;
const root = $("#detail");
let artifact = null;
let etag = null;

async function fetchArtifact() {
  const { data, etag: tag } = await api(endpoints.artifact(artifactId, { include_deleted: "true" }), { withEtag: true });
  artifact = data;
  etag = tag;
  document.title = `${artifact.title || artifact.id} · FlowTime Registry`;
}

const isArchived = () => (artifact.tags || []).includes("archived");

function header() {
  const flags = [];
  if (artifact.deleted_at) flags.push(el("span", { class: "badge badge-deleted" }, `deleted ${formatDate(artifact.deleted_at)}`));
  if (isArchived()) flags.push(el("span", { class: "badge badge-archived" }, "archived"));
  return el("header", { class: "detail-head" },
    el("p", { class: "crumbs" }, el("a", { href: "/" }, "Artifacts"), " / ", el("span", { class: "mono" }, artifact.id)),
    el("h1", { id: "artifact-title" }, artifact.title || artifact.id),
    el("div", { class: "head-badges" }, typeBadge(artifact.type), flags));
}

function actions() {
  const bar = el("div", { class: "actions", role: "group", "aria-label": "Actions" });
  bar.append(el("button", { type: "button", id: "edit-button", onclick: openEditor, disabled: Boolean(artifact.deleted_at) }, "Edit"));
  if (artifact.deleted_at) {
    bar.append(el("button", { type: "button", id: "restore-button", onclick: () => act(restore, "Restored.") }, "Restore"));
  } else {
    bar.append(el("button", { type: "button", id: "delete-button", class: "danger", onclick: () => act(remove, "Deleted (files kept; you can restore it).") }, "Delete"));
    if (isArchived()) bar.append(el("button", { type: "button", id: "unarchive-button", class: "secondary", onclick: () => act(unarchive, "Unarchived.") }, "Unarchive"));
    else bar.append(el("button", { type: "button", id: "archive-button", class: "secondary", onclick: () => act(archive, "Archived.") }, "Archive"));
  }
  if (!artifact.deleted_at) bar.append(el("a", { class: "button secondary", href: endpoints.zip(artifact.id), id: "zip-link" }, "Download all (zip)"));
  bar.append(el("a", { class: "button secondary", href: `/compare?base=${encodeURIComponent(artifact.id)}` }, "Compare with…"));
  if (artifact.type === "model" && !artifact.deleted_at) {
    bar.append(el("a", { class: "button secondary", href: `/runs/new?model=${encodeURIComponent(artifact.id)}` }, "Run this model"));
  }
  return bar;
}

function editor() {
  const field = (id, label, input, hint) => el("div", { class: "field" },
    el("label", { for: id }, label), input, hint ? el("p", { class: "muted hint", id: `${id}-hint` }, hint) : null,
    el("p", { class: "field-error", id: `${id}-error`, dataset: { for: id }, hidden: true }));
  return el("form", { id: "edit-form", class: "panel edit-form", hidden: true, novalidate: true, "aria-labelledby": "edit-heading" },
    el("h2", { id: "edit-heading" }, "Edit"),
    field("edit-title", "Title", el("input", { type: "text", id: "edit-title", name: "title" })),
    field("edit-description", "Description", el("textarea", { id: "edit-description", name: "description", rows: 4 })),
    field("edit-tags", "Tags", el("input", { type: "text", id: "edit-tags", name: "tags", "aria-describedby": "edit-tags-hint" }),
      "Comma-separated; letters, digits, - _ . : (no spaces)."),
    el("div", { class: "actions" },
      el("button", { type: "submit", id: "save-button" }, "Save"),
      el("button", { type: "button", class: "secondary", id: "cancel-button", onclick: closeEditor }, "Cancel")));
}

function openEditor() {
  const form = $("#edit-form");
  clearFieldErrors(form);
  $("#edit-title").value = artifact.title || "";
  $("#edit-description").value = artifact.description || "";
  $("#edit-tags").value = (artifact.tags || []).join(", ");
  form.hidden = false;
  $("#edit-title").focus();
}

function closeEditor() {
  $("#edit-form").hidden = true;
  $("#edit-button").focus();
}

async function save(event) {
  event.preventDefault();
  const form = $("#edit-form");
  clearFieldErrors(form);
  const body = {
    title: $("#edit-title").value,
    description: $("#edit-description").value,
    tags: parseTags($("#edit-tags").value),
  };
  const button = $("#save-button");
  button.disabled = true;
  try {
    await api(endpoints.artifact(artifact.id), { method: "PATCH", json: body, headers: ifMatch() });
    clearError();
    await refresh();
    notify("Saved.");
  } catch (err) {
    if (err.status === 412) {
      showError("Someone else changed this artifact since you opened it. Reload the page to see their changes, then edit again.");
    } else {
      const details = {};
      const tagged = [];
      for (const [key, msg] of Object.entries(err.details || {})) {
        const item = /^tags\.(\d+)$/.exec(key); // {"tags.1": ["invalid tag"]} -> which tag, in words
        if (item) tagged.push(`“${body.tags?.[Number(item[1])] ?? `item ${Number(item[1]) + 1}`}”: ${[].concat(msg).join(" ")}`);
        else details[key] = msg;
      }
      if (tagged.length) details.tags = [...[].concat(details.tags || []), tagged.join("; ")];
      const unplaced = showFieldErrors(details, (key) => document.getElementById(`edit-${key}-error`));
      showError(unplaced.length || !Object.keys(err.details || {}).length ? err : `${err.message}. See the highlighted fields.`, "Saving");
    }
  } finally {
    button.disabled = false;
  }
}

/** If-Match for the state this page shows: a stale page gets a 412 instead of overwriting a newer change. */
const ifMatch = () => (etag ? { "If-Match": etag } : {});
const remove = () => api(endpoints.artifact(artifact.id), { method: "DELETE", headers: ifMatch() });
const restore = () => api(endpoints.restore(artifact.id), { method: "POST", headers: ifMatch() });
const archive = () => api(endpoints.archive(), { method: "POST", json: [artifact.id] }).then((result) => {
  const failed = (result.results || []).find((r) => !r.success);
  if (failed) throw new Error(failed.error || "archiving failed");
});
const unarchive = () => api(endpoints.artifact(artifact.id), {
  method: "PATCH", json: { tags: artifact.tags.filter((t) => t !== "archived") }, headers: ifMatch(),
});

async function act(fn, message) {
  abortPageReads(); // the panels' reads would answer for the artifact as it was (a 404 once it is deleted)
  try {
    await fn();
    clearError();
    await refresh();
    notify(message);
    loadStats();
  } catch (err) {
    showError(err, "The action failed");
    await render(); // the panels dropped their reads: ask again, for the artifact as it still is
  }
}

/** "engine_version" / "binMinutes" -> "Engine version" / "Bin minutes". */
function humanKey(key) {
  const words = String(key).replace(/([a-z])([A-Z])/g, "$1 $2").replaceAll("_", " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A metadata value for people: never a raw `null` or a JSON blob; objects become nested definition lists. */
function valueNode(value, depth = 0) {
  if (value === null || value === undefined || value === "") return el("span", { class: "muted" }, "–");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value !== "object") {
    const text = String(value);
    return /^(sha256:)?[0-9a-f]{32,}$/.test(text) ? el("span", { class: "mono", title: text }, `${text.slice(0, 19)}…`) : text;
  }
  if (Array.isArray(value)) {
    if (!value.length) return el("span", { class: "muted" }, "none");
    if (value.every((v) => v === null || typeof v !== "object")) return value.map((v) => (v === null ? "–" : String(v))).join(", ");
    return el("ol", { class: "plain" }, value.slice(0, 50).map((v) => el("li", {}, valueNode(v, depth + 1))));
  }
  const entries = Object.entries(value);
  if (!entries.length) return el("span", { class: "muted" }, "none");
  if (depth >= 3) return `${entries.length} fields`;
  const list = el("dl", { class: "meta nested" });
  for (const [k, v] of entries) list.append(el("dt", {}, humanKey(k)), el("dd", {}, valueNode(v, depth + 1)));
  return list;
}

function metadataSection() {
  const rows = [
    ["Id", el("span", { class: "mono" }, artifact.id)],
    ["Type", artifact.type],
    ["Description", artifact.description || el("span", { class: "muted" }, "none")],
    ["Tags", (artifact.tags || []).length ? tagList(artifact.tags) : el("span", { class: "muted" }, "none")],
    ["Created", formatDate(artifact.created)],
    ["Modified", formatDate(artifact.modified)],
    ["Source", artifact.source],
    ["Size", `${formatBytes(artifact.size_bytes)} in ${artifact.file_count} files`],
    ["Series", String(artifact.series_count ?? 0)],
    ["Capabilities", (artifact.capabilities || []).join(", ") || "–"],
    ["Path", el("span", { class: "mono" }, artifact.path)],
  ];
  const meta = artifact.metadata || {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === "series" || key === "nodes") continue;
    rows.push([humanKey(key), valueNode(value)]);
  }
  if (Array.isArray(meta.nodes)) rows.push(["Nodes", meta.nodes.join(", ")]);
  const list = el("dl", { class: "meta" });
  for (const [term, value] of rows) list.append(el("dt", {}, term), el("dd", {}, value));
  return el("section", { class: "panel", "aria-labelledby": "meta-heading" }, el("h2", { id: "meta-heading" }, "Details"), list);
}

function filesSection() {
  const files = artifact.file_details || [];
  const live = !artifact.deleted_at;
  const table = el("table", { class: "data", id: "files-table" },
    el("caption", { class: "visually-hidden" }, "Files of this artifact"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "File"), el("th", { scope: "col", class: "num" }, "Size"),
      el("th", { scope: "col" }, "Modified"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Download")))),
    el("tbody", {}, files.map((f) => el("tr", {},
      el("td", {}, live ? el("a", { href: endpoints.file(artifact.id, f.name), class: "mono" }, f.name) : el("span", { class: "mono" }, f.name)),
      el("td", { class: "num" }, formatBytes(f.size_bytes)),
      el("td", {}, formatDate(f.modified)),
      el("td", {}, live ? el("a", { href: endpoints.file(artifact.id, f.name, true), download: f.name.split("/").pop(), "aria-label": `Download ${f.name}` }, "Download") : "")))));
  return el("section", { class: "panel", "aria-labelledby": "files-heading" },
    el("h2", { id: "files-heading" }, `Files (${files.length})`),
    files.length ? el("div", { class: "table-wrap" }, table) : el("p", { class: "muted" }, "No files."),
    live ? el("p", {}, el("a", { href: endpoints.zip(artifact.id) }, "Download everything as a zip")) : null);
}

function specSection() {
  const name = artifact.type === "run" ? "spec.yaml" : "model-artifact.yaml";
  if (!["run", "model"].includes(artifact.type)) return null;
  const present = (artifact.file_details || []).some((f) => f.name === name);
  const section = el("section", { class: "panel", "aria-labelledby": "spec-heading", id: "spec-section" },
    el("h2", { id: "spec-heading" }, artifact.type === "run" ? "Model spec (spec.yaml)" : "Model (model-artifact.yaml)"));
  if (!present) {
    section.append(el("p", { class: "muted" }, `No ${name} in this artifact.`));
    return section;
  }
  const pre = el("pre", { class: "code", tabindex: "0", "aria-label": name }, "Loading…");
  section.append(pre);
  apiText(endpoints.file(artifact.id, name))
    .then((text) => { pre.textContent = text; })
    .catch((err) => {
      pre.textContent = "Unavailable.";
      showError(err, `Loading ${name}`);
    });
  return section;
}

function deletedNote() {
  return el("section", { class: "panel", id: "deleted-note" },
    el("h2", {}, "This artifact is deleted"),
    el("p", {}, "Its files are kept. Restore it to see its series, spec, lineage and to download its files."));
}

async function render() {
  abortPageReads();
  const sections = [header(), actions(), editor(), metadataSection()];
  if (artifact.deleted_at) {
    sections.push(deletedNote(), historySection(artifact.id), filesSection());
    clear(root).append(...sections);
    root.removeAttribute("aria-busy");
    $("#edit-form").addEventListener("submit", save);
    return;
  }
  // The results first (above the fold on a phone), the details after them.
  const results = artifact.type === "run" ? runChartSection(artifact)
    : artifact.type === "telemetry" ? await telemetrySection(artifact) : null;
  const figures = ["run", "telemetry"].includes(artifact.type) ? resultsSection(artifact, refresh) : null;
  sections.splice(3, 0, results, figures, artifact.type === "run" ? exportsSection(artifact, refresh) : null);
  sections.push(lineageSection(artifact), graphSection(artifact), specSection(), historySection(artifact.id), filesSection());
  clear(root).append(...sections.filter(Boolean));
  root.removeAttribute("aria-busy");
  $("#edit-form").addEventListener("submit", save);
}

async function refresh() {
  await fetchArtifact();
  await render();
}

async function main() {
  try {
    await fetchArtifact();
  } catch (err) {
    failureCard(root, err, err.status === 404 ? "Artifact not found" : "The artifact could not be loaded");
    showError(err, "Loading the artifact");
    return;
  }
  await render();
}

startPage(main);
