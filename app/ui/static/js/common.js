// Shared helpers: DOM building, formatting, the error banner, field errors and the stats header.
import { api, endpoints, setApiToken } from "./api.js";

/** el("a", {href, class: "x"}, "text", child) - never sets inline styles or handlers via attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function clear(node) {
  node.replaceChildren();
  return node;
}

const numberFormat = new Intl.NumberFormat("en-US");
export const formatCount = (n) => numberFormat.format(n);

export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return numberFormat.format(value);
  return decimalFormat(digits).format(value);
}

// Building an Intl formatter costs far more than formatting with it: a table page formats hundreds of values.
const decimalFormats = new Map();
function decimalFormat(digits) {
  if (!decimalFormats.has(digits)) decimalFormats.set(digits, new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }));
  return decimalFormats.get(digits);
}
const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat.format(date);
}

export function debounce(fn, ms = 250) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

export function parseTags(text) {
  return String(text || "").split(",").map((t) => t.trim()).filter(Boolean);
}

/** The server's snippet, as HTML only when its sole markup is <mark>...</mark>; otherwise as plain text. */
export function snippetNode(snippet) {
  const span = el("span", { class: "snippet" });
  const withoutMarks = String(snippet).replaceAll("<mark>", "").replaceAll("</mark>", "");
  if (/[<>]/.test(withoutMarks)) {
    span.textContent = withoutMarks;
  } else {
    span.innerHTML = String(snippet);
  }
  return span;
}

// ---- messages -------------------------------------------------------------------------------

/** Human words for an error (ApiError or anything else). */
export function describeError(err, context = "") {
  let message = err && err.message ? err.message : String(err);
  if (err && err.status === 404) message = `Not found: ${message}`;
  else if (err && err.status === 413) message = "The file or request is too large for the server.";
  else if (err && err.status >= 500) message = `The server failed (${err.status}): ${message}`;
  const raw = err && err.message ? err.message : "";
  const fields = (err && err.details && typeof err.details === "object" ? flattenDetails(err.details) : [])
    .filter(([, v]) => v && !raw.includes(v));
  const extra = fields.length ? ` (${fields.map(([k, v]) => `${k}: ${v}`).join("; ")})` : "";
  return `${context ? `${context}: ` : ""}${message}${extra}`;
}

export function showError(err, context = "") {
  if (err && err.name === "AbortError") return; // dropped on purpose (abortPageReads): nothing went wrong
  if (err && err.status === 401) {
    const form = $("#token-form");
    if (form) form.hidden = false;
  }
  const text = typeof err === "string" ? err : describeError(err, context);
  const banner = $("#banner");
  if (!banner) return;
  $("#banner-text").textContent = text;
  banner.hidden = false;
}

export function clearError() {
  const banner = $("#banner");
  if (banner) banner.hidden = true;
}

export function notify(text) {
  const notice = $("#notice");
  if (!notice) return;
  notice.textContent = text;
  notice.hidden = !text;
}

/** "tags.0" -> "tags item 1": a dotted `details` path in words. */
export function readablePath(path) {
  return String(path).split(".").map((part) => (/^\d+$/.test(part) ? `item ${Number(part) + 1}` : part)).join(" ");
}

/** [["tags item 1", "invalid tag"], ...] from a `details` object (field or dotted path -> messages). */
export function flattenDetails(details, prefix = "") {
  const out = [];
  for (const [key, value] of Object.entries(details || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out.push([readablePath(path), value.map(String).join(" ")]);
    else if (value && typeof value === "object") out.push(...flattenDetails(value, path));
    else out.push([readablePath(path), String(value)]);
  }
  return out;
}

/** Show `details` next to fields: errorFor(fieldName) -> <p class="field-error">; returns unplaced entries.
 *  A dotted path ("tags.0") goes to its field's element ("tags") as "item 1: ..." when it has none itself. */
export function showFieldErrors(details, errorFor) {
  const grouped = new Map();
  for (const [key, value] of Object.entries(details || {})) {
    const text = Array.isArray(value) || typeof value !== "object" || value === null
      ? (Array.isArray(value) ? value.join(" ") : String(value))
      : flattenDetails(value, "").map(([k, v]) => `${k.trim()}: ${v}`).join("; ");
    const [field, ...rest] = String(key).split(".");
    const whole = errorFor(key);
    const place = whole || !rest.length ? key : field;
    const line = place === key ? text : `${readablePath(rest.join("."))}: ${text}`;
    grouped.set(place, [...(grouped.get(place) || []), line]);
  }
  const unplaced = [];
  for (const [key, lines] of grouped) {
    const target = errorFor(key);
    const text = lines.join("; ");
    if (target) {
      target.textContent = text;
      target.hidden = false;
      const input = target.dataset.for ? document.getElementById(target.dataset.for) : null;
      if (input) input.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push([key, text]);
    }
  }
  return unplaced;
}

export function clearFieldErrors(root = document) {
  for (const node of root.querySelectorAll(".field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// ---- page set-up ------------------------------------------------------------------------------

export async function loadStats() {
  const box = $("#stats");
  if (!box) return;
  try {
    const stats = await api(endpoints.stats());
    // The totals count archived artifacts (every live one), so their links list archived ones too.
    const archived = stats.archived ? "&include_archived=true" : "";
    const types = Object.entries(stats.by_type || {}).map(([type, count]) =>
      el("li", {}, el("a", { href: `/?type=${encodeURIComponent(type)}${archived}` }, `${formatCount(count)} ${type}${count === 1 || type === "telemetry" ? "" : "s"}`)));
    const tags = (stats.top_tags || []).slice(0, 6).map((t) =>
      el("li", {}, el("a", { href: `/?tags=${encodeURIComponent(t.tag)}${archived}`, class: "tag" }, `${t.tag} (${formatCount(t.count)})`)));
    const total = `${formatCount(stats.total || 0)} artifacts`;
    clear(box).append(
      el("a", { class: "stat-total", href: archived ? `/?include_archived=true` : "/" },
        stats.archived ? `${total} (${formatCount(stats.archived)} archived)` : total),
      el("ul", { class: "stat-types", "aria-label": "By type" }, types),
      el("span", { class: "stat-size" }, formatBytes(stats.total_size_bytes || 0)),
      tags.length ? el("ul", { class: "stat-tags", "aria-label": "Top tags" }, tags) : null,
    );
  } catch (err) {
    box.textContent = "Statistics unavailable";
    showError(err, "Loading statistics");
  }
}

/** Common start of every page: banner close, global error catching, stats; then `main()`. */
export function startPage(main) {
  window.addEventListener("error", (event) => {
    showError(`Unexpected error: ${event.message || "script error"}`);
  });
  window.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    showError(event.reason, "Unexpected error");
  });
  const run = () => {
    const close = $("#banner-close");
    if (close) close.addEventListener("click", clearError);
    const tokenForm = $("#token-form");
    if (tokenForm) {
      tokenForm.addEventListener("submit", (event) => {
        event.preventDefault();
        setApiToken($("#token-input").value.trim());
        window.location.reload();
      });
    }
    loadStats();
    Promise.resolve()
      .then(main)
      .catch((err) => showError(err));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
}

/** A visible card for a top-level failure (e.g. artifact not found) instead of a blank page. */
export function failureCard(container, err, title = "Something went wrong") {
  clear(container).append(
    el("section", { class: "panel failure" },
      el("h1", {}, title),
      el("p", {}, describeError(err)),
      el("p", {}, el("a", { href: "/" }, "Back to the artifact list"))),
  );
  container.removeAttribute("aria-busy");
}

export function typeBadge(type) {
  return el("span", { class: `badge badge-${type}` }, type);
}

export function tagList(tags) {
  return el("ul", { class: "tags", "aria-label": "Tags" },
    (tags || []).map((t) => el("li", {}, el("a", { class: "tag", href: `/?tags=${encodeURIComponent(t)}` }, t))));
}
