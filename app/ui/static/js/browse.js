// Browse and search: every filter lives in the URL; pages come from the server (keyset cursors).
import { api, endpoints } from "./api.js";
import { newText, watchChanges } from "./live.js";
import { bulk, columnChooser, figuresText, parametersText, renderTable, selectionCsv } from "./table.js";
import {
  $, clear, debounce, el, formatBytes, formatCount, formatDate, parseTags, showError, snippetNode, startPage,
  tagList, typeBadge, clearError, notify, loadStats,
} from "./common.js";

const TYPES = ["run", "model", "telemetry"];
const FIELDS = ["q", "tags", "created_after", "created_before", "sort", "order", "limit"];
const CHECKS = ["include_deleted", "include_archived"];
const DEFAULT_LIMIT = "50";
// sort=relevance pages by offset this deep at most (the API's MAX_RELEVANCE_OFFSET); cursors go on.
const MAX_RELEVANCE_OFFSET = 10000;

let state = readState();
let controller = null;
let lastPage = null;
let live = null;
const selected = new Map();  // id -> artifact, kept across pages of the table

function readState() {
  const params = new URLSearchParams(window.location.search);
  const s = { type: parseTags(params.get("type")).filter((t) => TYPES.includes(t)) };
  for (const key of FIELDS) s[key] = params.get(key) || "";
  if (!s.limit) s.limit = DEFAULT_LIMIT;
  for (const key of CHECKS) s[key] = params.get(key) === "true";
  // One page number and at most one cursor (the keyset token of that page): the URL stays short however
  // deep the user pages. Without a cursor the page is read by offset (a jump, the last page, Previous).
  s.cursor = params.get("cursor") || "";
  const legacy = params.has("prev") ? params.get("prev").split("~").length + 1 : 1;  // old "prev" bookmarks
  s.page = Math.max(1, Number.parseInt(params.get("page"), 10) || (s.cursor ? legacy : 1));
  if (s.page === 1) s.cursor = "";
  s.view = params.get("view") === "table" ? "table" : "cards";
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
  if (s.page > 1) params.set("page", String(s.page));
  if (s.cursor) params.set("cursor", s.cursor);
  if (s.view === "table") params.set("view", "table");
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
    offset: s.cursor ? "" : (s.page - 1) * Number(s.limit) || "",
    facets: "type,tags,source",
  };
}

/** The filters the changes feed applies (type, tags, search), for "N new" on this list. */
function feedParams(s) {
  return { search: s.q.trim(), type: s.type.join(","), tags: parseTags(s.tags).join(",") };
}

/** The list's filters without the type, for the type chips' counts. */
function chipParams(s) {
  return { ...apiParams({ ...s, type: [], cursor: "", page: 1 }), limit: 1, facets: "type", sort: "", order: "" };
}

function writeForm(s) {
  for (const key of FIELDS) {
    const input = document.getElementById(key);
    if (input && document.activeElement !== input) input.value = s[key];
  }
  showSort(s.sort);
  for (const key of CHECKS) document.getElementById(key).checked = s[key];
}

/** Select the sort in the form, adding an option for a result-figure sort chosen in the table view. */
function showSort(value) {
  const sort = document.getElementById("sort");
  if (value && ![...sort.options].some((o) => o.value === value)) {
    sort.append(el("option", { value }, `By ${value.replace(/^series:/, "")}`));
  }
  sort.value = value || "";
}

/** A filter changed: back to the first page. */
function update(changes, { push = true } = {}) {
  state = { ...state, ...changes, cursor: "", page: 1 };
  if ("sort" in changes) showSort(state.sort);
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
  // Visible only when the answer is slow, so fast typing does not flicker.
  const slow = setTimeout(() => { $("#loading").hidden = false; }, 150);
  try {
    const { signal } = controller;
    // With a type chosen, the type facet of the page counts only that type; the chips show what each
    // would give, so their counts come from the same filters without the type (one row, cached server-side).
    const [{ data: page, generation }, untyped] = await Promise.all([
      api(endpoints.list(apiParams(state)), { signal, withGeneration: true }),
      state.type.length ? api(endpoints.list(chipParams(state)), { signal }) : null,
    ]);
    clearError();
    if (untyped) page.facets = { ...page.facets, type: untyped.facets.type };
    render(page);
    live.seen(generation);
  } catch (err) {
    if (err.name === "AbortError") return;
    if (err.details && err.details.cursor && state.cursor) {
      // A stale bookmark: the cursor no longer fits (other filters, a new cursor key); read the page by offset.
      state = { ...state, cursor: "" };
      window.history.replaceState(null, "", urlOf(state));
      load();
      return;
    }
    if (err.details && err.details.offset && state.page > 1) {
      showError(err, `Page ${formatCount(state.page)} is too deep to jump to when sorted by relevance`);
      $("#range").textContent = "Choose another sort, or page on with Next.";
      clear(results);
      return;
    }
    showError(err, "Loading artifacts");
    $("#range").textContent = "No results could be loaded.";
    clear(results).append(el("li", { class: "empty-state is-error" },
      el("p", {}, "The registry did not answer this list."),
      el("button", { type: "button", id: "retry", class: "secondary", onclick: () => load() }, "Try again")));
  } finally {
    clearTimeout(slow);
    $("#loading").hidden = true;
    results.removeAttribute("aria-busy");
  }
}

function render(page) {
  const start = (state.page - 1) * Number(state.limit);
  const range = $("#range");
  // Past the registry's exact-count bound the total is a lower bound (total_exact: false): "1,000+".
  const total = page.total_exact === false ? `${formatCount(page.total)}+` : formatCount(page.total);
  if (page.total === 0) range.textContent = "No artifacts match.";
  else if (page.count === 0) range.textContent = `No more results (${total} in all).`;
  else range.textContent = `${formatCount(start + 1)}–${formatCount(start + page.count)} of ${total}`;
  // A common word: relevance scores its newest matches; the older ones follow, newest first (ranking_exact).
  if (page.ranking_exact === false && page.count > 0 && (!state.sort || state.sort === "relevance")) {
    range.textContent += ` · best of the newest ${formatCount(page.ranking_sample)} matches first, then older ones`;
  }
  lastPage = page;
  $("#live").hidden = true;
  const results = clear($("#results"));
  if (state.view === "table" && page.artifacts.length) drawTable();
  else for (const item of page.artifacts) results.append(resultItem(item));
  if (!page.artifacts.length) results.append(emptyNotice(page));
  showView(page.artifacts.length > 0);
  $("#next").disabled = !page.next_cursor;
  $("#next").dataset.cursor = page.next_cursor || "";
  $("#prev").disabled = state.page <= 1;
  $("#first").disabled = state.page <= 1;
  const known = page.total_exact !== false;  // the last page is known only with an exact total
  const pages = Math.max(1, Math.ceil(page.total / Number(state.limit)), known ? 0 : state.page);
  $("#last").disabled = !known || state.page >= pages;
  $("#last").dataset.page = String(pages);
  $("#page-count").textContent = `of ${formatCount(pages)}${known ? "" : "+"}`;
  const jump = $("#page-jump");
  if (known) jump.max = String(pages);
  else jump.removeAttribute("max");
  if (document.activeElement !== jump) jump.value = String(state.page);
  renderFacets(page.facets || {}, page.facets_exact === false ? page.facets_sample : 0);
}

function showView(rows) {
  const table = state.view === "table";
  $("#view-cards").setAttribute("aria-pressed", String(!table));
  $("#view-table").setAttribute("aria-pressed", String(table));
  $("#table-tools").hidden = !table;
  $("#table-view").hidden = !(table && rows);
  $("#results").hidden = table && rows;
}

function drawTable() {
  const sort = state.sort || (state.q.trim() ? "relevance" : "created");
  const order = state.order || (["title", "id"].includes(sort) ? "asc" : "desc");
  renderTable($("#table-view"), lastPage.artifacts, {
    sort, order, selected, onSort: (by, direction) => update({ sort: by, order: direction }), onSelect: selectionChanged,
  });
  selectionChanged();
}

function selectionChanged() {
  const n = selected.size;
  $("#selection-count").textContent = n ? `${formatCount(n)} selected` : "None selected";
  for (const id of ["bulk-download", "bulk-archive", "bulk-delete", "bulk-clear"]) $(`#${id}`).disabled = !n;
  $("#bulk-compare").disabled = n < 2 || n > 10;
  $("#bulk-compare").title = n >= 2 && n <= 10 ? "" : "Choose 2 to 10 artifacts to compare";
}

async function bulkAction(action) {
  const ids = [...selected.keys()];
  const verb = action === "archive" ? "Archive" : "Delete";
  if (action === "delete" && !window.confirm(`Delete ${ids.length} artifacts? Their files are kept; each can be restored.`)) return;
  try {
    const result = await bulk(action, ids);
    const failed = (result.results || []).filter((r) => !r.success);
    selected.clear();
    notify(`${verb}d ${formatCount(result.processed - failed.length)} of ${formatCount(ids.length)}.`);
    if (failed.length) showError(`${verb} failed for ${failed.map((r) => `${r.id} (${r.error})`).join(", ")}`);
    loadStats();
    load();
  } catch (err) {
    showError(err, `${verb} failed`);
  }
}

function downloadSelection() {
  const link = el("a", {
    href: URL.createObjectURL(new Blob([selectionCsv([...selected.values()])], { type: "text/csv" })),
    download: "artifacts.csv",
  });
  document.body.append(link);
  link.click();
  link.remove();
}

function tableControls() {
  $("#view-cards").addEventListener("click", () => { state = { ...state, view: "cards" }; navigate(false); });
  $("#view-table").addEventListener("click", () => { state = { ...state, view: "table" }; navigate(false); });
  columnChooser($("#column-chooser"), () => { if (lastPage) drawTable(); });
  $("#bulk-archive").addEventListener("click", () => bulkAction("archive"));
  $("#bulk-delete").addEventListener("click", () => bulkAction("delete"));
  $("#bulk-download").addEventListener("click", downloadSelection);
  $("#bulk-clear").addEventListener("click", () => { selected.clear(); drawTable(); });
  $("#bulk-compare").addEventListener("click", () => {
    const ids = [...selected.keys()];
    window.location.assign(ids.length === 2
      ? `/compare?base=${encodeURIComponent(ids[0])}&other=${encodeURIComponent(ids[1])}`
      : `/compare?ids=${ids.map(encodeURIComponent).join(",")}`);
  });
}

function emptyNotice(page) {
  const filtered = urlOf({ ...state, page: 1, cursor: "", limit: DEFAULT_LIMIT }) !== window.location.pathname;
  return el("li", { class: "empty-state", id: "empty-state" },
    el("p", {}, page.total ? "This page is past the last result." : "Nothing matches these filters."),
    page.total ? el("button", { type: "button", class: "secondary", onclick: () => goTo(1) }, "Back to the first page")
      : filtered ? el("button", { type: "button", class: "secondary", onclick: () => $("#reset").click() }, "Clear filters")
        : el("p", {}, el("a", { href: "/runs/new" }, "Make a run"), " or ", el("a", { href: "/telemetry/new" }, "upload telemetry"), "."));
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
    cardFigures(item),
    item.snippet ? el("p", { class: "result-snippet" }, snippetNode(item.snippet)) : null,
    (item.tags || []).length ? tagList(item.tags) : null);
}

function cardFigures(item) {
  const parts = [parametersText(item), figuresText(item)].filter(Boolean);
  return parts.length ? el("p", { class: "result-figures" }, parts.join(" — ")) : null;
}

function renderFacets(facets, sample) {
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
  const sampled = sample ? ` (counts over the newest ${formatCount(sample)} matches)` : "";
  $("#source-facets").textContent = sources.length ? `Sources: ${sources.join(" · ")}${sampled}` : sampled.trim();
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

/** The advanced filters start open on a wide screen, or when one of them is in use. */
function openMoreFilters(s) {
  const used = ["tags", "created_after", "created_before", "sort", "order"].some((key) => s[key])
    || CHECKS.some((key) => s[key]) || s.limit !== DEFAULT_LIMIT;
  if (used || window.matchMedia("(min-width: 701px)").matches) $("#more-filters").open = true;
}

function main() {
  writeForm(state);
  openMoreFilters(state);
  tableControls();
  live = watchChanges(() => feedParams(state), (n) => {
    $("#live-text").textContent = `${newText(n, state.type)} since this list was loaded.`;
    $("#live").hidden = false;
  });
  $("#live-show").addEventListener("click", () => {
    state = { ...state, page: 1, cursor: "" };
    navigate(true);
  });
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
    state = { ...state, page: state.page + 1, cursor: next };
    navigate(true);
  });
  $("#prev").addEventListener("click", () => goTo(state.page - 1));
  $("#first").addEventListener("click", () => goTo(1));
  $("#last").addEventListener("click", () => goTo(Number($("#last").dataset.page)));
  $("#jump-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goTo(Number.parseInt($("#page-jump").value, 10));
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

/** Page n (1-based) by offset: Previous, First, Last and the page jump. */
function goTo(n) {
  const pages = Number($("#last").dataset.page) || 1;
  let target = Math.min(Math.max(1, Number.isFinite(n) ? n : 1), pages);
  const relevance = state.sort === "relevance" || (!state.sort && state.q.trim());
  const deepest = Math.floor(MAX_RELEVANCE_OFFSET / Number(state.limit)) + 1;
  if (relevance && target > deepest) {
    notify(`Sorted by relevance, pages go by number to ${formatCount(deepest)}; page on with Next or sort otherwise.`);
    target = deepest;
  }
  if (target === state.page && !state.cursor) return;
  state = { ...state, page: target, cursor: "" };
  navigate(true);
}

function emptyState() {
  const s = { type: [], cursor: "", page: 1, view: state.view };
  for (const key of FIELDS) s[key] = "";
  s.limit = DEFAULT_LIMIT;
  for (const key of CHECKS) s[key] = false;
  return s;
}

startPage(main);
