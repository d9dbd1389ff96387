// The table view of a browse page: dense rows, sortable columns (sorted by the server, over every match),
// a column chooser, and multi-select with the bulk actions of the API.
import { api, endpoints } from "./api.js";
import { el, formatBytes, formatDate, formatNumber, typeBadge } from "./common.js";

const COLUMNS_KEY = "flowtime-table-columns";
const provenance = (a) => (a.metadata && a.metadata.provenance) || {};
const parameters = (a) => provenance(a).parameters || {};

/** Every column: label, cell, and the server sort it maps to (only those are sortable: one page is all we fetch). */
export const COLUMNS = [
  { id: "type", label: "Type", cell: (a) => typeBadge(a.type) },
  { id: "title", label: "Title", sort: "title", always: true,
    cell: (a) => el("a", { href: `/artifacts/${encodeURIComponent(a.id)}`, class: "result-title" }, a.title || a.id) },
  { id: "created", label: "Created", sort: "created", cell: (a) => el("time", { datetime: a.created }, formatDate(a.created)) },
  { id: "modified", label: "Modified", sort: "modified", hidden: true, cell: (a) => formatDate(a.modified) },
  { id: "size", label: "Size", sort: "size", num: true, cell: (a) => formatBytes(a.size_bytes) },
  { id: "seed", label: "Seed", num: true, cell: (a) => formatNumber((a.metadata || {}).rng_seed) },
  { id: "template", label: "Template", cell: (a) => provenance(a).template_id || "–" },
  { id: "parameters", label: "Parameters", cell: (a) => parametersText(a) || "–" },
  { id: "grid", label: "Grid", hidden: true, cell: (a) => gridText((a.metadata || {}).grid) },
  { id: "series", label: "Series", num: true, cell: (a) => formatNumber(a.series_count ?? 0) },
  { id: "figures", label: "Result figures (Σ per series)", expands: true },
  { id: "tags", label: "Tags", cell: (a) => (a.tags || []).join(", ") || "–" },
  { id: "id", label: "Id", sort: "id", hidden: true, cell: (a) => el("span", { class: "mono" }, a.id) },
];

const FIGURE_COLUMNS = 4;

/** The page's most common series as sortable columns of their totals (`sort=series:<node>.sum`). */
function figureColumns(artifacts) {
  const counts = new Map();
  for (const a of artifacts) for (const node of Object.keys(a.series_summary || {})) counts.set(node, (counts.get(node) || 0) + 1);
  const nodes = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, FIGURE_COLUMNS);
  return nodes.map(([node]) => ({
    id: `figure:${node}`, label: `${node} Σ`, sort: `series:${node}.sum`, num: true,
    cell: (a) => formatNumber(((a.series_summary || {})[node] || {}).sum),
  }));
}

/** "served Σ 64 · queue Σ 3": a few per-series totals, for the card view. */
export function figuresText(artifact, most = 3) {
  const summary = artifact.series_summary || {};
  return Object.keys(summary).sort().slice(0, most).map((node) => `${node} Σ ${formatNumber(summary[node].sum)}`).join(" · ");
}

/** "bins 12, arrivals 20": the template parameters a run was made with. */
export function parametersText(artifact) {
  return Object.entries(parameters(artifact)).map(([k, v]) => `${k} ${v}`).join(", ");
}

function gridText(grid) {
  if (!grid || !grid.bins) return "–";
  const width = grid.binUnit ? `${grid.binSize} ${grid.binUnit}` : `${grid.binMinutes} min`;
  return `${grid.bins} × ${width}`;
}

/** The chosen column ids (this browser remembers them). */
export function chosenColumns() {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY) || "null");
    if (Array.isArray(saved)) return COLUMNS.filter((c) => c.always || saved.includes(c.id)).map((c) => c.id);
  } catch {
    // a malformed saved choice: the defaults
  }
  return COLUMNS.filter((c) => !c.hidden).map((c) => c.id);
}

/** The column chooser: a checkbox per column; `onChange` redraws. */
export function columnChooser(box, onChange) {
  const chosen = chosenColumns();
  box.replaceChildren(...COLUMNS.filter((c) => !c.always).map((c) => el("label", { class: "check" },
    el("input", {
      type: "checkbox", value: c.id, checked: chosen.includes(c.id), dataset: { column: c.id },
      onchange: () => {
        const ids = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        localStorage.setItem(COLUMNS_KEY, JSON.stringify(ids));
        onChange();
      },
    }), ` ${c.label}`)));
}

function header(column, sort, order, onSort) {
  if (!column.sort) return el("th", { scope: "col", class: column.num ? "num" : "", dataset: { column: column.id } }, column.label);
  const active = sort === column.sort;
  const aria = active ? (order === "asc" ? "ascending" : "descending") : "none";
  const next = active && order === "desc" ? "asc" : active ? "desc" : column.sort === "title" || column.sort === "id" ? "asc" : "desc";
  return el("th", { scope: "col", "aria-sort": aria, class: column.num ? "num" : "", dataset: { column: column.id } },
    el("button", { type: "button", class: "sort", onclick: () => onSort(column.sort, next) },
      column.label, el("span", { "aria-hidden": "true" }, active ? (order === "asc" ? " ▲" : " ▼") : "")));
}

/** Draw the table of one page; `selected` (id -> artifact) is kept across pages; `onSelect` reports changes. */
export function renderTable(box, artifacts, { sort, order, selected, onSort, onSelect }) {
  const ids = chosenColumns();
  const columns = COLUMNS.filter((c) => ids.includes(c.id)).flatMap((c) => (c.expands ? figureColumns(artifacts) : [c]));
  const all = el("input", {
    type: "checkbox", id: "select-page", "aria-label": "Select every row of this page",
    checked: artifacts.length > 0 && artifacts.every((a) => selected.has(a.id)),
    onchange: (event) => {
      for (const a of artifacts) {
        if (event.target.checked) selected.set(a.id, a);
        else selected.delete(a.id);
      }
      for (const input of box.querySelectorAll("tbody input[type=checkbox]")) input.checked = event.target.checked;
      onSelect();
    },
  });
  const rows = artifacts.map((a) => el("tr", { dataset: { id: a.id }, class: a.deleted_at ? "is-deleted" : "" },
    el("td", { class: "select" }, el("input", {
      type: "checkbox", checked: selected.has(a.id), "aria-label": `Select ${a.title || a.id}`,
      onchange: (event) => {
        if (event.target.checked) selected.set(a.id, a);
        else selected.delete(a.id);
        all.checked = artifacts.every((x) => selected.has(x.id));
        onSelect();
      },
    })),
    columns.map((c) => el("td", { class: c.num ? "num" : "", dataset: { column: c.id } }, c.cell(a)))));
  box.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "data dense", id: "results-table" },
    el("caption", { class: "visually-hidden" }, "Artifacts; sortable columns have buttons in their headers"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "select" }, all),
      columns.map((c) => header(c, sort, order, onSort)))),
    el("tbody", {}, rows))));
}

/** Run a bulk action over the selected ids: archive, delete; the API's per-id results. */
export async function bulk(action, ids) {
  const path = action === "archive" ? endpoints.archive() : endpoints.bulkDelete();
  return api(path, { method: "POST", json: ids });
}

/** The selected rows of this page as CSV (id, type, title, created, size, tags). */
export function selectionCsv(artifacts) {
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = artifacts.map((a) => [a.id, a.type, a.title || "", a.created, String(a.size_bytes ?? ""), (a.tags || []).join(" ")]
    .map((v) => quote(String(v))).join(","));
  return `${["id,type,title,created,size_bytes,tags", ...lines].join("\n")}\n`;
}
