// Telemetry upload: multipart POST /v1/telemetry with XMLHttpRequest (for the progress bar).
import { authHeaders, endpoints } from "./api.js";
import { $, clearError, clearFieldErrors, describeError, parseTags, showError, showFieldErrors, startPage } from "./common.js";

const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
let xhr = null;

function progress(fraction, text) {
  $("#progress").value = Math.round(fraction * 100);
  $("#progress-text").textContent = text;
}

function fail(message, details) {
  const unplaced = showFieldErrors(details || {}, (key) => document.getElementById(`${key}-error`));
  void unplaced;
  showError(message);
}

function errorOf(request) {
  let body = null;
  try {
    body = JSON.parse(request.responseText);
  } catch {
    body = null;
  }
  if (request.status === 413) return { message: "The file is too large for the server’s upload limit.", details: { file: "too large" } };
  if (body && body.error) {
    const err = { message: body.error, status: request.status, details: body.details || {} };
    return { message: describeError(err, "The upload was refused"), details: body.details };
  }
  return { message: `The upload failed: the server answered ${request.status || "nothing"}.`, details: {} };
}

function submit(event) {
  event.preventDefault();
  clearFieldErrors($("#upload-form"));
  clearError();
  const file = $("#file").files[0];
  const errors = {};
  if (!file) errors.file = "choose a CSV or Parquet file";
  else if (file.size === 0) errors.file = "the file is empty";
  const tags = parseTags($("#tags").value);
  const badTag = tags.find((t) => !TAG.test(t));
  if (badTag) errors.tags = `“${badTag}” is not a valid tag (letters, digits, - _ . :, no spaces, at most 64 characters)`;
  if ($("#title").value.length > 200) errors.title = "at most 200 characters";
  if (Object.keys(errors).length) {
    fail("Please correct the highlighted fields.", errors);
    const first = document.querySelector("[aria-invalid=true]");
    if (first) first.focus();
    return;
  }
  const form = new FormData();
  form.append("file", file, file.name);
  if ($("#title").value.trim()) form.append("title", $("#title").value.trim());
  if ($("#description").value.trim()) form.append("description", $("#description").value.trim());
  if (tags.length) form.append("tags", tags.join(","));

  xhr = new XMLHttpRequest();
  xhr.open("POST", endpoints.telemetry());
  xhr.setRequestHeader("Accept", "application/json");
  for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) progress(e.loaded / e.total, `${Math.round((100 * e.loaded) / e.total)} % sent`);
  });
  xhr.upload.addEventListener("load", () => progress(1, "Sent; the server is importing the file…"));
  xhr.addEventListener("load", () => {
    const request = xhr;
    xhr = null;
    busy(false);
    if (request.status === 201) {
      let artifact = null;
      try {
        artifact = JSON.parse(request.responseText);
      } catch {
        artifact = null;
      }
      if (!artifact || !artifact.id) {
        fail("The upload finished but the answer could not be read.");
        return;
      }
      progress(1, "Imported; opening the artifact…");
      window.location.assign(`/artifacts/${encodeURIComponent(artifact.id)}`);
      return;
    }
    progress(0, "Failed.");
    const { message, details } = errorOf(request);
    fail(message, details);
  });
  xhr.addEventListener("error", () => {
    xhr = null;
    busy(false);
    progress(0, "Failed.");
    fail("The upload failed: the server could not be reached (or closed the connection, e.g. because the file is too large).");
  });
  xhr.addEventListener("abort", () => {
    xhr = null;
    busy(false);
    progress(0, "Cancelled.");
  });
  busy(true);
  progress(0, "Starting…");
  xhr.send(form);
}

function busy(on) {
  $("#upload-submit").disabled = on;
  $("#upload-cancel").disabled = !on;
}

function main() {
  $("#upload-form").addEventListener("submit", submit);
  $("#upload-cancel").addEventListener("click", () => {
    if (xhr) xhr.abort();
  });
}

startPage(main);
