// Browse and search: every filter lives in the URL; pages come from the server (keyset cursors).
import { api, endpoints } from "./api.js";
import {
  $, clear, debounce, el, formatBytes, formatCount, formatDate, parseTags, showError, snippetNode, startPage,
  tagList, typeBadge, clearError,
} from "./common.js";

const TYPES = ["run", "model", "telemetry"];
const FIELDS = ["q", "tags", "created_after", "created_before", "sort", "order", "limit"];
const CHECKS = ["include_deleted", "include_archived"];
const DEFAULT_LIMIT = "50";
const PREV_SEPARATOR = "~";

let state = readState();
let controller = null;

function readState() {
  const params = new URLSearchParams(window.location.search);
  const s = { type: parseTags(params.get("type")).filter((t) => TYPES.includes(t)) };
  for (const key of FIELDS) s[key] = params.get(key) || "";
  if (!s.limit) s.limit = DEFAULT_LIMIT;
  for (const key of CHECKS) s[key] = params.get(key) === "true";
  s.cursor = params.get("cursor") || "";
  // The stack of cursors of the previous pages ("" is the first page), joined with "~": signed cursors
  // hold "." (payload.signature), and "~" is in neither their alphabet nor needs escaping in a URL.
  s.prev = params.has("prev") ? params.get("prev").split(PREV_SEPARATOR) : [];
  return s;
}

function urlOf(s) {
  const params = new URLSearchParams();
  if (s.q) params.set("q", s.q);
  if (s.type.length) params.set("type", s.type.join(","));
  for (const key of FIELDS.slice(1)) {
    if (s[key] && !(key === "limit" && s[key] === DEFAULT_LIMIT)) params.set(key, s[key]);
  }
  for (const key of CHECKS) if (s[key]) params.set(key, "true");
  if (s.cursor) {
    params.set("cursor", s.cursor);
    params.set("prev", s.prev.join(PREV_SEPARATOR));
  }
  const text = params.toString();
  return `${window.location.pathname}${text ? `?${text}` : ""}`;
}

function apiParams(s) {
  return {
    search: s.q.trim(),
    type: s.type.join(","),
    tags: parseTags(s.tags).join(","),
    created_after: s.created_after,
    created_before: s.created_before,
    sort: s.sort,
    order: s.order,
    limit: s.limit,
    include_deleted: s.include_deleted ? "true" : "",
    include_archived: s.include_archived ? "true" : "",
    cursor: s.cursor,
    facets: "type,tags,source",
  };
}

function writeForm(s) {
  for (const key of FIELDS) {
    const input = document.getElementById(key);
    if (input && document.activeElement !== input) input.value = s[key];
  }
  for (const key of CHECKS) document.getElementById(key).checked = s[key];
}

/** A filter changed: back to the first page. */
function update(changes, { push = true } = {}) {
  state = { ...state, ...changes, cursor: "", prev: [] };
  navigate(push);
}

function navigate(push) {
  const url = urlOf(state);
  if (url !== window.location.pathname + window.location.search) {
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }
  load();
}

async function load() {
  if (controller) controller.abort();
  controller = new AbortController();
  const results = $("#results");
  results.setAttribute("aria-busy", "true");
  try {
    const page = await api(endpoints.list(apiParams(state)), { signal: controller.signal });
    clearError();
    render(page);
  } catch (err) {
    if (err.name === "AbortError") return;
    if (err.details && err.details.cursor && state.cursor) {
      // A stale bookmark: the cursor no longer fits; start again from the first page.
      state = { ...state, cursor: "", prev: [] };
      window.history.replaceState(null, "", urlOf(state));
      load();
      return;
    }
    showError(err, "Loading artifacts");
    $("#range").textContent = "No results could be loaded.";
    clear(results);
  } finally {
    results.removeAttribute("aria-busy");
  }
}

function render(page) {
  const start = state.prev.length * Number(state.limit);
  const range = $("#range");
  if (page.total === 0) range.textContent = "No artifacts match.";
  else if (page.count === 0) range.textContent = `No more results (${formatCount(page.total)} in all).`;
  else range.textContent = `${formatCount(start + 1)}–${formatCount(start + page.count)} of ${formatCount(page.total)}`;
  const results = clear($("#results"));
  for (const item of page.artifacts) results.append(resultItem(item));
  $("#next").disabled = !page.next_cursor;
  $("#next").dataset.cursor = page.next_cursor || "";
  $("#prev").disabled = !state.cursor;
  $("#first").disabled = !state.cursor;
  renderFacets(page.facets || {});
}

function resultItem(item) {
  const flags = [];
  if (item.deleted_at) flags.push(el("span", { class: "badge badge-deleted" }, "deleted"));
  if ((item.tags || []).includes("archived")) flags.push(el("span", { class: "badge badge-archived" }, "archived"));
  return el("li", { class: `result${item.deleted_at ? " is-deleted" : ""}`, dataset: { id: item.id } },
    el("div", { class: "result-head" },
      typeBadge(item.type),
      el("a", { class: "result-title", href: `/artifacts/${encodeURIComponent(item.id)}` }, item.title || item.id),
      flags),
    el("div", { class: "result-meta muted" },
      el("span", {}, "Created ", el("time", { datetime: item.created }, formatDate(item.created))),
      el("span", {}, formatBytes(item.size_bytes)),
      el("span", { class: "mono" }, item.id)),
    item.snippet ? el("p", { class: "result-snippet" }, snippetNode(item.snippet)) : null,
    (item.tags || []).length ? tagList(item.tags) : null);
}

function renderFacets(facets) {
  const counts = Object.fromEntries((facets.type || []).map((f) => [f.value, f.count]));
  const chips = clear($("#type-chips"));
  for (const type of TYPES) {
    const active = state.type.includes(type);
    chips.append(el("button", {
      type: "button", class: `chip${active ? " active" : ""}`, "aria-pressed": active ? "true" : "false",
      dataset: { type }, onclick: () => toggleType(type),
    }, `${type} `, el("span", { class: "count" }, formatCount(counts[type] || 0))));
  }
  const chosen = parseTags(state.tags);
  const tagChips = clear($("#tag-chips"));
  for (const facet of (facets.tags || []).slice(0, 15)) {
    const active = chosen.includes(facet.value);
    tagChips.append(el("button", {
      type: "button", class: `chip${active ? " active" : ""}`, "aria-pressed": active ? "true" : "false",
      dataset: { tag: facet.value }, onclick: () => toggleTag(facet.value),
    }, `${facet.value} `, el("span", { class: "count" }, formatCount(facet.count))));
  }
  if (!tagChips.childElementCount) tagChips.append(el("span", { class: "muted" }, "No tags"));
  const sources = (facets.source || []).map((f) => `${f.value} ${formatCount(f.count)}`);
  $("#source-facets").textContent = sources.length ? `Sources: ${sources.join(" · ")}` : "";
}

function toggleType(type) {
  const types = state.type.includes(type) ? state.type.filter((t) => t !== type) : [...state.type, type];
  update({ type: TYPES.filter((t) => types.includes(t)) });
}

function toggleTag(tag) {
  const tags = parseTags(state.tags);
  const next = tags.includes(tag) ? tags.filter((t) => t !== tag) : [...tags, tag];
  update({ tags: next.join(",") });
  $("#tags").value = state.tags;
}

function main() {
  writeForm(state);
  const typed = debounce(() => update({ q: $("#q").value }, { push: false }), 250);
  $("#q").addEventListener("input", typed);
  const typedTags = debounce(() => update({ tags: $("#tags").value }, { push: false }), 400);
  $("#tags").addEventListener("input", typedTags);
  for (const key of ["created_after", "created_before", "sort", "order", "limit"]) {
    document.getElementById(key).addEventListener("change", (event) => update({ [key]: event.target.value }));
  }
  for (const key of CHECKS) {
    document.getElementById(key).addEventListener("change", (event) => update({ [key]: event.target.checked }));
  }
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    typed.cancel();
    update({ q: $("#q").value, tags: $("#tags").value });
  });
  $("#reset").addEventListener("click", () => {
    state = { ...emptyState(), limit: state.limit };
    writeForm(state);
    $("#q").value = "";
    $("#tags").value = "";
    navigate(true);
  });
  $("#next").addEventListener("click", () => {
    const next = $("#next").dataset.cursor;
    if (!next) return;
    state = { ...state, prev: [...state.prev, state.cursor], cursor: next };
    navigate(true);
  });
  $("#prev").addEventListener("click", () => {
    if (!state.cursor) return;
    const prev = [...state.prev];
    const cursor = prev.pop() || "";
    state = { ...state, prev: cursor ? prev : [], cursor };
    navigate(true);
  });
  $("#first").addEventListener("click", () => {
    state = { ...state, cursor: "", prev: [] };
    navigate(true);
  });
  window.addEventListener("popstate", () => {
    state = readState();
    writeForm({ ...state });
    $("#q").value = state.q;
    $("#tags").value = state.tags;
    load();
  });
  load();
}

function emptyState() {
  const s = { type: [], cursor: "", prev: [] };
  for (const key of FIELDS) s[key] = "";
  s.limit = DEFAULT_LIMIT;
  for (const key of CHECKS) s[key] = false;
  return s;
}

startPage(main);
