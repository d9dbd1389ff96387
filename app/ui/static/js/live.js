// Live updates of a list by polling its first page's total (one row): "3 new runs", and a button to show them.
import { api, endpoints } from "./api.js";
import { formatCount } from "./common.js";

const DEFAULT_MS = 15000;
const OVERRIDE_KEY = "flowtime-poll-ms";  // tests (and the impatient) may poll faster

/** Poll `paramsOf()` every few seconds while the tab is visible; `onNew(n)` when the total grew by n since `baseline`. */
export function watchTotal(paramsOf, onNew) {
  let baseline = null;
  let timer = null;
  const every = Number(localStorage.getItem(OVERRIDE_KEY)) || DEFAULT_MS;
  const tick = async () => {
    if (document.visibilityState === "visible" && baseline !== null) {
      try {
        const page = await api(endpoints.list({ ...paramsOf(), limit: 1, cursor: "", offset: "", facets: "" }));
        if (page.total > baseline) onNew(page.total - baseline);
      } catch {
        // a missed poll is not worth a banner; the next one tries again
      }
    }
    timer = setTimeout(tick, every);
  };
  timer = setTimeout(tick, every);
  return {
    /** The total the user has seen (after every load of the list). */
    seen(total) { baseline = total; },
    stop() { clearTimeout(timer); },
  };
}

export function newText(n, types) {
  const noun = types.length === 1 ? (types[0] === "telemetry" ? "telemetry artifact" : types[0]) : "artifact";
  return `${formatCount(n)} new ${noun}${n === 1 ? "" : "s"}`;
}
