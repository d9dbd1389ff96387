// The edit history of an artifact (GET /v1/artifacts/{id}/history): who changed what, newest first.
import { api, endpoints } from "./api.js";
import { el, formatDate, showError } from "./common.js";

const PAGE = 20;
const LABELS = { title: "Title", description: "Description", tags: "Tags", derived_from: "Derived from" };

/** A panel listing the artifact's edits, with "Show older edits" paging on next_cursor. */
export function historySection(artifactId) {
  const list = el("ol", { class: "history", id: "history-list", "aria-live": "polite" });
  const more = el("button", { type: "button", class: "secondary", id: "history-more", hidden: true }, "Show older edits");
  const section = el("section", { class: "panel", "aria-labelledby": "history-heading", id: "history-section" },
    el("h2", { id: "history-heading" }, "History"), list, more);
  let cursor = "";
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api(endpoints.history(artifactId, { limit: PAGE, cursor }));
      if (!cursor && !page.history.length) list.replaceWith(el("p", { class: "muted", id: "history-list" }, "No edits yet."));
      for (const entry of page.history) list.append(entryItem(entry));
      cursor = page.next_cursor || "";
      more.hidden = !cursor;
    } catch (err) {
      showError(err, "Loading the history");
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", load);
  load();
  return section;
}

function entryItem(entry) {
  return el("li", { class: "history-entry" },
    el("p", { class: "history-when" }, el("time", { datetime: entry.at }, formatDate(entry.at)), ` by ${entry.actor}`),
    el("ul", {}, Object.entries(entry.changes).map(([field, change]) => el("li", {}, describe(field, change)))));
}

function describe(field, { from, to }) {
  if (field === "deleted") return to ? "Deleted" : "Restored";
  if (field === "archived") return to ? "Archived" : "Unarchived";
  return `${LABELS[field] || field}: ${shown(from)} → ${shown(to)}`;
}

function shown(value) {
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (value === "" || value === null || value === undefined) return "none";
  return `“${value}”`;
}
