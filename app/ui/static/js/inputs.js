// The wizard's Select Input step: what a chosen model or telemetry artifact will produce.
import { el, formatDate, formatNumber } from "./common.js";
import { binWidth, widthText } from "./timeaxis.js";

function gridWords(grid) {
  const width = binWidth(grid || {});
  return grid && grid.bins ? `${formatNumber(grid.bins)} bins of ${width ? widthText(width) : "?"}` : "an unknown grid";
}

/** Fill `box` with what running `artifact` gives; returns whether it can be run from here. */
export function previewInput(box, artifact) {
  box.replaceChildren();
  box.hidden = !artifact;
  if (!artifact) return false;
  const meta = artifact.metadata || {};
  if (artifact.type === "model") {
    const nodes = meta.nodes || [];
    const params = Object.entries((meta.provenance || {}).parameters || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    box.append(
      el("h3", {}, "This will produce"),
      el("p", { id: "input-produces" }, `A run over ${gridWords(meta.grid)}, with ${formatNumber(nodes.length)} series: ${nodes.slice(0, 12).join(", ")}${nodes.length > 12 ? ", …" : ""}.`),
      params ? el("p", { class: "muted" }, `Template parameters: ${params}.`) : null,
      el("p", { class: "muted" }, "The run is titled after the model, its distinguishing parameters and the seed, unless you name it."));
    return true;
  }
  const range = meta.time_range || {};
  box.append(
    el("h3", {}, "This telemetry holds"),
    el("p", { id: "input-produces" }, `${formatNumber(artifact.series_count ?? 0)} series`,
      range.start ? `, ${formatDate(range.start)} – ${formatDate(range.end)}` : "", "."),
    el("p", { class: "muted", id: "input-note" },
      `Replaying it makes a run of ${formatNumber(artifact.series_count ?? 0)} series, one value per time bin as observed, `
      + "that derives from this telemetry: chart, export and compare it like any run."),
    el("p", {}, el("a", { href: `/artifacts/${encodeURIComponent(artifact.id)}` }, "Open this telemetry"), " · ",
      el("a", { href: `/compare?base=${encodeURIComponent(artifact.id)}` }, "Compare it with…")));
  return true;
}
