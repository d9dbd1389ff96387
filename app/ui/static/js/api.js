// The only place that talks to the server: fetch() wrappers around the /v1 JSON API.

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network_error", details = {} } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body && typeof body.error === "string") {
    return new ApiError(body.error, { status: response.status, code: body.code, details: body.details });
  }
  const text = response.statusText || "request failed";
  return new ApiError(`The server answered ${response.status} (${text}).`, { status: response.status, code: "http_error" });
}

const TOKEN_KEY = "flowtime-token";

/** The API token this tab was given (FLOWTIME_API_TOKENS on the server), if any. */
export function apiToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Remember a token for this tab; a same-site cookie lets plain download links carry it too. */
export function setApiToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  document.cookie = `flowtime_token=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
}

/** Authorization header for the current token (empty when the registry is open). */
export function authHeaders() {
  const token = apiToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// The page's reads in flight: a page about to change what they read (a delete, a re-render) drops them first,
// so an answer to a question no longer asked (a 404 for what was just deleted) never arrives.
let pageReads = new AbortController();

/** Abort every GET this page has in flight that was sent without a signal of its own. */
export function abortPageReads() {
  pageReads.abort();
  pageReads = new AbortController();
}

async function send(path, { method = "GET", json, body, headers = {}, signal } = {}) {
  if (!signal && method === "GET") signal = pageReads.signal;
  const init = {
    method, headers: { Accept: "application/json", ...authHeaders(), ...headers }, signal, credentials: "same-origin",
  };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError("Cannot reach the registry server. Check that it is running and try again.");
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** JSON of a successful call; `{data, etag}` when `withEtag` is set, `{data, generation}` with `withGeneration`. */
export async function api(path, options = {}) {
  const response = await send(path, options);
  const data = response.status === 204 ? null : await response.json();
  if (options.withGeneration) return { data, generation: Number(response.headers.get("X-Registry-Generation")) };
  return options.withEtag ? { data, etag: response.headers.get("ETag") } : data;
}

/** Text body of a successful call (CSV, YAML). */
export async function apiText(path, options = {}) {
  const response = await send(path, { ...options, headers: { Accept: "*/*", ...(options.headers || {}) } });
  return response.text();
}

/** Query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const enc = encodeURIComponent;

export const endpoints = {
  list: (params) => `/v1/artifacts${query(params)}`,
  changes: (params) => `/v1/changes${query(params)}`,
  history: (id, params = {}) => `/v1/artifacts/${enc(id)}/history${query(params)}`,
  verify: (id) => `/v1/artifacts/${enc(id)}/verify`,
  artifact: (id, params = {}) => `/v1/artifacts/${enc(id)}${query(params)}`,
  stats: () => "/v1/artifacts/stats",
  relationships: (id) => `/v1/artifacts/${enc(id)}/relationships`,
  file: (id, name, download = false) =>
    `/v1/artifacts/${enc(id)}/files/${name.split("/").map(enc).join("/")}${download ? "?download=1" : ""}`,
  zip: (id) => `/v1/artifacts/${enc(id)}/download`,
  restore: (id) => `/v1/artifacts/${enc(id)}/restore`,
  archive: () => "/v1/artifacts/archive",
  bulkDelete: () => "/v1/artifacts/bulk-delete",
  compare: (id) => `/v1/artifacts/${enc(id)}/compare`,
  seriesIndex: (runId) => `/v1/runs/${enc(runId)}/index`,
  exportGold: (runId) => `/v1/runs/${enc(runId)}/export`,
  exportFile: (runId, fmt) => `/v1/runs/${enc(runId)}/export/${enc(fmt)}`,
  lineage: (id, depth = 2) => `/v1/artifacts/${enc(id)}/lineage${query({ depth })}`,
  series: (runId, seriesId) => `/v1/runs/${enc(runId)}/series/${enc(seriesId)}`,
  templates: () => "/v1/templates",
  instantiate: (id) => `/v1/templates/${enc(id)}/instantiate`,
  runModel: (id, seed) => `/v1/models/${enc(id)}/run${query({ seed })}`,
  replay: (id, seed) => `/v1/telemetry/${enc(id)}/replay${query({ seed })}`,
  run: (seed) => `/v1/run${query({ seed })}`,
  telemetry: () => "/v1/telemetry",
  graph: () => "/v1/graph",
};
