// Live updates of a list by following the changes feed from the generation the list reflects:
// "3 new runs", and a button to show them. A feed that no longer reaches back (410) says "changed".
import { api, endpoints } from "./api.js";
import { formatCount } from "./common.js";

const DEFAULT_MS = 15000;
const OVERRIDE_KEY = "flowtime-poll-ms";  // tests (and the impatient) may poll faster

/** Follow GET /v1/changes with the list's filters while the tab is visible; `onNew(n)` counts new artifacts
 * (n = null: too much changed to count, list again). */
export function watchChanges(filtersOf, onNew) {
  let since = null;
  let created = new Set();
  let timer = null;
  const every = Number(localStorage.getItem(OVERRIDE_KEY)) || DEFAULT_MS;
  const tick = async () => {
    if (document.visibilityState === "visible" && since !== null) {
      try {
        const page = await api(endpoints.changes({ ...filtersOf(), since, limit: 1000 }));
        for (const change of page.changes) if (change.event === "created") created.add(change.id);
        since = page.last_generation;
        if (created.size) onNew(created.size);
      } catch (err) {
        if (err.status === 410) { since = null; onNew(null); }
        // any other missed poll is not worth a banner; the next one tries again
      }
    }
    timer = setTimeout(tick, every);
  };
  timer = setTimeout(tick, every);
  return {
    /** The generation the list on screen reflects (its X-Registry-Generation, after every load). */
    seen(generation) { since = Number.isFinite(generation) ? generation : null; created = new Set(); },
    stop() { clearTimeout(timer); },
  };
}

export function newText(n, types) {
  if (n === null) return "The registry changed";
  const noun = types.length === 1 ? (types[0] === "telemetry" ? "telemetry artifact" : types[0]) : "artifact";
  return `${formatCount(n)} new ${noun}${n === 1 ? "" : "s"}`;
}
