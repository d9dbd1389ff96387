// A run's gold exports (CSV, NDJSON, Parquet): make them with the export API, then download them.
import { api, endpoints } from "./api.js";
import { el, notify, showError } from "./common.js";

const FORMATS = [
  ["csv", "CSV", "gold/export.csv"],
  ["ndjson", "NDJSON", "gold/export.ndjson"],
  ["parquet", "Parquet", "gold/export.parquet"],
];

/** The Exports section of a run; `refresh` re-reads the artifact once new exports are written. */
export function exportsSection(artifact, refresh) {
  const present = new Set((artifact.file_details || []).map((f) => f.name));
  const made = FORMATS.filter(([, , file]) => present.has(file));
  const links = el("ul", { class: "export-links", id: "export-links" }, made.map(([fmt, label]) => el("li", {},
    el("a", { class: "button secondary", href: endpoints.exportFile(artifact.id, fmt), download: `${artifact.id}.${fmt}`, id: `export-${fmt}` },
      `Download ${label}`))));
  const status = el("p", { class: "muted", role: "status", id: "export-status" },
    made.length ? "" : "No exports yet: make them to download the run as one table (node × time bin).");
  const button = el("button", { type: "button", id: "export-make", class: made.length ? "secondary" : "" },
    made.length ? "Make the exports again" : "Make CSV, NDJSON and Parquet exports");
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Writing the exports…";
    try {
      const result = await api(endpoints.exportGold(artifact.id), { method: "POST" });
      notify(`Exports ready: ${result.message}.`);
      await refresh();
    } catch (err) {
      status.textContent = "The exports could not be made.";
      showError(err, "Exporting the run");
      button.disabled = false;
    }
  });
  return el("section", { class: "panel", "aria-labelledby": "exports-heading", id: "exports-section" },
    el("h2", { id: "exports-heading" }, "Exports"), status, made.length ? links : null,
    el("div", { class: "actions" }, button));
}
