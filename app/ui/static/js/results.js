// A run's or telemetry's results at a glance: per-series summaries, the verify verdict, duplicate runs.
import { api, endpoints } from "./api.js";
import { el, formatDate, formatNumber, notify, showError } from "./common.js";

const STATS = ["points", "min", "max", "mean", "last"];
const GROUP_SHOWN = 10;

/** The Results panel; `refresh()` re-renders the page after a verify stores its verdict. */
export function resultsSection(artifact, refresh) {
  const section = el("section", { class: "panel", "aria-labelledby": "results-heading", id: "results-section" },
    el("h2", { id: "results-heading" }, "Results"));
  section.append(summaryTable(artifact.series_summary));
  if (artifact.type === "run") section.append(verdictBlock(artifact, refresh), duplicatesBlock(artifact));
  return section;
}

function summaryTable(summary) {
  const nodes = Object.keys(summary || {}).sort();
  if (!nodes.length) return el("p", { class: "muted", id: "summary-none" }, "No series summaries.");
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Per-series summaries" },
    el("table", { class: "data", id: "summary-table" },
    el("caption", { class: "visually-hidden" }, "Per-series summaries"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Series"),
      STATS.map((s) => el("th", { scope: "col", class: "num" }, s[0].toUpperCase() + s.slice(1))))),
    el("tbody", {}, nodes.map((node) => el("tr", {}, el("th", { scope: "row", class: "mono" }, node),
      STATS.map((s) => el("td", { class: "num" }, formatNumber(summary[node][s]))))))));
}

function verdictBlock(artifact, refresh) {
  const verdict = artifact.verification;
  const button = el("button", { type: "button", class: "secondary", id: "verify-button" }, verdict ? "Verify again" : "Verify");
  const status = el("p", { id: "verify-status" }, verdictText(verdict));
  const block = el("div", { class: "verdict" }, el("h3", {}, "Reproducibility"), status);
  if (verdict && verdict.differences && verdict.differences.length) {
    block.append(el("ul", { id: "verify-differences" }, verdict.differences.map((d) =>
      el("li", {}, el("span", { class: "mono" }, d.series), `: ${d.reason}${d.line ? ` (line ${d.line})` : ""}`))));
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Re-running the model…";
    try {
      const result = await api(endpoints.verify(artifact.id), { method: "POST" });
      await refresh();
      notify(result.reproducible ? "Reproduced byte for byte." : "The re-run differs.");
    } catch (err) {
      status.textContent = verdictText(verdict);
      showError(err, "Verifying the run");
      button.disabled = false;
    }
  });
  block.append(button);
  return block;
}

function verdictText(verdict) {
  if (!verdict) return "Not verified yet: Verify re-runs the model with its seed and compares every series.";
  const when = verdict.verified_at ? ` (${formatDate(verdict.verified_at)})` : "";
  const n = verdict.checked_series;
  if (verdict.reproducible) return `Reproducible: ${n} series ${n === 1 ? "matches" : "match"} byte for byte${when}.`;
  return `Not reproducible${when}${verdict.error ? `: ${verdict.error}` : ""}.`;
}

function duplicatesBlock(artifact) {
  const block = el("div", { class: "duplicates", id: "duplicates" }, el("h3", {}, "Same model and seed"));
  if (artifact.duplicate_of) {
    block.append(el("p", {}, "This run repeats ", el("a", { href: `/artifacts/${encodeURIComponent(artifact.duplicate_of)}`,
      class: "mono", id: "duplicate-head" }, artifact.duplicate_of), " (the earliest run of this scenario)."));
    return block;
  }
  const text = el("p", { class: "muted" }, "Looking for repeats…");
  block.append(text);
  api(endpoints.list({ duplicate_of: artifact.id, sort: "created", order: "asc", limit: GROUP_SHOWN, facets: "" }))
    .then((page) => {
      if (!page.total) { text.textContent = "No other run repeats this one."; return; }
      const verb = page.total === 1 ? "run repeats" : "runs repeat";
      text.replaceWith(el("p", {}, `${formatNumber(page.total)} later ${verb} this one:`),
        el("ul", { id: "duplicate-list" }, page.artifacts.map((a) => el("li", {},
          el("a", { href: `/artifacts/${encodeURIComponent(a.id)}` }, a.title || a.id)))));
    })
    .catch((err) => { text.textContent = "Repeats could not be loaded."; showError(err, "Loading repeats"); });
  return block;
}
