// A small search-as-you-type artifact picker (input + list of option buttons), keyboard friendly.
import { api, endpoints } from "./api.js";
import { clear, debounce, el, formatDate, showError } from "./common.js";

/**
 * picker({input, list, chosen, type, capabilities, browse, onPick}): typing searches /v1/artifacts?search=...;
 * with `browse`, an empty box lists the newest (one page of 8). ArrowDown moves into the options, Enter/click
 * picks. Returns {set(id), get(), filter({type, capabilities})}.
 */
export function picker({ input, list, chosen, type = "", capabilities = "", browse = false, onPick = () => {} }) {
  let current = null;
  let controller = null;
  const filters = { type, capabilities };

  const show = (artifact) => {
    current = artifact;
    chosen.textContent = artifact ? `Chosen: ${artifact.title || artifact.id} (${artifact.type}, ${artifact.id})` : "Nothing chosen";
    chosen.classList.toggle("muted", !artifact);
  };

  const pick = (artifact) => {
    show(artifact);
    clear(list);
    input.value = artifact.title || artifact.id;
    onPick(artifact);
    input.focus();
  };

  const search = debounce(async () => {
    const text = input.value.trim();
    if (controller) controller.abort();
    if (!text && !browse) {
      clear(list);
      return;
    }
    controller = new AbortController();
    try {
      const page = await api(endpoints.list({ search: text, ...filters, limit: 8 }), { signal: controller.signal });
      let items = page.artifacts;
      if (!items.length && /^(run|model|telemetry)_[\w.@:+-]+$/.test(text)) {
        // Perhaps an id was pasted.
        try {
          items = [await api(endpoints.artifact(text), { signal: controller.signal })];
        } catch (err) {
          if (err.name === "AbortError") return;
          items = [];
        }
      }
      clear(list);
      if (!items.length) {
        list.append(el("li", { class: "muted" }, "No matches"));
        return;
      }
      for (const item of items) {
        list.append(el("li", {}, el("button", {
          type: "button", class: "option", dataset: { id: item.id }, onclick: () => pick(item),
          onkeydown: (event) => moveFocus(event, list, input),
        }, el("span", { class: `badge badge-${item.type}` }, item.type), ` ${item.title || item.id} `,
        el("span", { class: "muted" }, formatDate(item.created)))));
      }
    } catch (err) {
      if (err.name !== "AbortError") showError(err, "Searching");
    }
  }, 250);

  input.addEventListener("input", search);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      const first = list.querySelector("button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === "Escape") {
      clear(list);
    } else if (event.key === "Enter") {
      const first = list.querySelector("button");
      if (first) {
        event.preventDefault();
        first.click();
      }
    }
  });

  if (browse) search();
  return {
    get: () => current,
    /** Other filters (e.g. telemetry that can be replayed): the list is searched again. */
    filter(changes) {
      Object.assign(filters, changes);
      show(null);
      search();
    },
    async set(id) {
      if (!id) return;
      try {
        const artifact = await api(endpoints.artifact(id, { include_deleted: "true" }));
        show(artifact);
        input.value = artifact.title || artifact.id;
        onPick(artifact);
      } catch (err) {
        show(null);
        showError(err, `Loading ${id}`);
      }
    },
  };
}

function moveFocus(event, list, input) {
  const buttons = [...list.querySelectorAll("button")];
  const index = buttons.indexOf(event.currentTarget);
  if (event.key === "ArrowDown" && index < buttons.length - 1) {
    event.preventDefault();
    buttons[index + 1].focus();
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    (index > 0 ? buttons[index - 1] : input).focus();
  } else if (event.key === "Escape") {
    clear(list);
    input.focus();
  }
}
