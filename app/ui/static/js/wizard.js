// Runs wizard: a template with a generated parameter form, an existing model, or pasted/uploaded YAML.
import { api, endpoints } from "./api.js";
import { $, clear, clearError, clearFieldErrors, el, showError, showFieldErrors, startPage } from "./common.js";
import { previewInput } from "./inputs.js";
import { picker } from "./picker.js";

let templates = [];
let modelPicker;
const status = $("#wizard-status");

function setMode(mode) {
  for (const name of ["template", "model", "yaml"]) $(`#mode-${name}`).hidden = name !== mode;
  const radio = document.querySelector(`input[name="mode"][value="${mode}"]`);
  if (radio) radio.checked = true;
  const params = new URLSearchParams(window.location.search);
  params.set("mode", mode);
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

// ---- template form ---------------------------------------------------------------------------------

const inputId = (name) => `param-${name}`;

function paramField(p) {
  const id = inputId(p.name);
  const hintParts = [];
  if (p.description) hintParts.push(p.description);
  if (p.minimum !== undefined && p.minimum !== null) hintParts.push(`min ${p.minimum}`);
  if (p.maximum !== undefined && p.maximum !== null) hintParts.push(`max ${p.maximum}`);
  let input;
  if (p.type === "integer" || p.type === "number") {
    input = el("input", {
      type: "number", id, name: p.name, min: p.minimum, max: p.maximum, step: p.type === "integer" ? "1" : "any",
      required: true, inputmode: p.type === "integer" ? "numeric" : "decimal",
    });
  } else if (p.type === "array") {
    hintParts.push("comma-separated numbers");
    input = el("textarea", { id, name: p.name, rows: 2, required: true, spellcheck: "false" });
  } else if (p.type === "boolean") {
    input = el("input", { type: "checkbox", id, name: p.name });
  } else {
    input = el("input", { type: "text", id, name: p.name });
  }
  input.setAttribute("aria-describedby", `${id}-hint`);
  input.dataset.type = p.type;
  return el("div", { class: "field" },
    el("label", { for: id }, p.title || p.name, " ", el("span", { class: "muted mono" }, `(${p.name})`)),
    input,
    el("p", { class: "muted hint", id: `${id}-hint` }, hintParts.join(" · ")),
    el("p", { class: "field-error", id: `${id}-error`, dataset: { for: id }, hidden: true }));
}

function fillDefaults(template) {
  for (const p of template.parameters || []) {
    const input = document.getElementById(inputId(p.name));
    if (!input) continue;
    if (p.type === "boolean") input.checked = Boolean(p.default);
    else if (Array.isArray(p.default)) input.value = p.default.join(", ");
    else input.value = p.default ?? "";
  }
}

function currentTemplate() {
  return templates.find((t) => t.id === $("#template-select").value);
}

function showTemplate() {
  const template = currentTemplate();
  const box = $("#template-params");
  clear(box).append(el("legend", {}, "Parameters"));
  clearFieldErrors($("#template-form"));
  if (!template) return;
  $("#template-description").textContent = template.description || "";
  for (const p of template.parameters || []) box.append(paramField(p));
  fillDefaults(template);
  const params = new URLSearchParams(window.location.search);
  params.set("template", template.id);
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

function inRange(value, p) {
  if (p.minimum !== undefined && p.minimum !== null && value < p.minimum) return `must be at least ${p.minimum}`;
  if (p.maximum !== undefined && p.maximum !== null && value > p.maximum) return `must be at most ${p.maximum}`;
  return null;
}

/** Read and check the parameters: {values, errors} with errors keyed by parameter name. */
function readParameters(template) {
  const values = {};
  const errors = {};
  for (const p of template.parameters || []) {
    const input = document.getElementById(inputId(p.name));
    const raw = input.type === "checkbox" ? input.checked : input.value.trim();
    if (p.type === "integer" || p.type === "number") {
      if (raw === "") {
        errors[p.name] = "required";
        continue;
      }
      const number = Number(raw);
      if (!Number.isFinite(number)) errors[p.name] = "must be a number";
      else if (p.type === "integer" && !Number.isInteger(number)) errors[p.name] = "must be a whole number";
      else if (inRange(number, p)) errors[p.name] = inRange(number, p);
      else values[p.name] = number;
    } else if (p.type === "array") {
      const items = raw.split(/[,\s]+/).filter(Boolean);
      if (!items.length) {
        errors[p.name] = "enter at least one number";
        continue;
      }
      const numbers = items.map(Number);
      const bad = numbers.findIndex((n) => !Number.isFinite(n));
      if (bad >= 0) errors[p.name] = `item ${bad + 1} (“${items[bad]}”) is not a number`;
      else {
        const out = numbers.findIndex((n) => inRange(n, p));
        if (out >= 0) errors[p.name] = `item ${out + 1}: ${inRange(numbers[out], p)}`;
        else values[p.name] = numbers;
      }
    } else if (p.type === "boolean") {
      values[p.name] = raw;
    } else if (raw !== "") {
      values[p.name] = raw;
    }
  }
  return { values, errors };
}

function readSeed(inputIdName, errors) {
  const raw = $(`#${inputIdName}`).value.trim();
  if (raw === "") return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2147483647) {
    errors.seed = "a whole number from 0 to 2147483647";
    return undefined;
  }
  return seed;
}

function reportErrors(errors, errorFor, context) {
  const unplaced = showFieldErrors(errors, errorFor);
  const first = document.querySelector("[aria-invalid=true]");
  if (first) first.focus();
  const words = unplaced.map(([k, v]) => `${k}: ${v}`).join("; ");
  showError(`${context}: please correct the highlighted fields${words ? ` (${words})` : ""}.`);
}

function busy(on, text = "") {
  for (const button of document.querySelectorAll("form button[type=submit]")) button.disabled = on;
  status.textContent = text;
}

async function submitTemplate(event) {
  event.preventDefault();
  clearFieldErrors($("#template-form"));
  const template = currentTemplate();
  if (!template) {
    showError("Choose a template first.");
    return;
  }
  const { values, errors } = readParameters(template);
  const seed = readSeed("template-seed", errors);
  const errorFor = (key) => (key === "seed" ? $("#template-seed-error") : key === "title" ? $("#template-run-title-error")
    : document.getElementById(`${inputId(key)}-error`));
  if (Object.keys(errors).length) {
    reportErrors(errors, errorFor, "The parameters are not valid");
    return;
  }
  const body = { parameters: values };
  const title = $("#template-run-title").value.trim();
  if (title) body.title = title;
  busy(true, "Creating the model…");
  try {
    const created = await api(endpoints.instantiate(template.id), { method: "POST", json: body });
    status.textContent = "Running the model…";
    const run = await api(endpoints.runModel(created.modelId, seed), { method: "POST" });
    await nameRun(run.runId, "template");
    landOn(run.runId);
  } catch (err) {
    busy(false);
    const unplaced = showFieldErrors(err.details, errorFor);
    showError(unplaced.length || !Object.keys(err.details || {}).length ? err : `${err.message}. See the highlighted fields.`, "The run failed");
  }
}

// ---- existing model ---------------------------------------------------------------------------------

async function submitModel(event) {
  event.preventDefault();
  clearFieldErrors($("#model-form"));
  const model = modelPicker.get();
  const errors = {};
  const seed = readSeed("model-seed", errors);
  if (!model) {
    showError("Choose a model first: type part of its title and pick it from the list.");
    $("#model-input").focus();
    return;
  }
  if (Object.keys(errors).length) {
    reportErrors(errors, () => $("#model-seed-error"), "The run settings are not valid");
    return;
  }
  const replay = model.type === "telemetry";
  busy(true, replay ? "Replaying the telemetry…" : "Running the model…");
  try {
    const run = await api(replay ? endpoints.replay(model.id, seed) : endpoints.runModel(model.id, seed), { method: "POST" });
    await nameRun(run.runId, "model");
    landOn(run.runId);
  } catch (err) {
    busy(false);
    showError(err, "The run failed");
  }
}

// ---- YAML ----------------------------------------------------------------------------------------------

async function submitYaml(event) {
  event.preventDefault();
  clearFieldErrors($("#yaml-form"));
  const text = $("#yaml-text").value;
  const errors = {};
  const seed = readSeed("yaml-seed", errors);
  if (!text.trim()) errors.yaml = "paste a model or load a file";
  const errorFor = (key) => (key === "seed" ? $("#yaml-seed-error") : $("#yaml-text-error"));
  if (Object.keys(errors).length) {
    reportErrors(errors, errorFor, "The model cannot be sent");
    return;
  }
  busy(true, "Running the model…");
  try {
    const run = await api(endpoints.run(seed), { method: "POST", body: text, headers: { "Content-Type": "text/plain" } });
    await nameRun(run.runId, "yaml");
    landOn(run.runId);
  } catch (err) {
    busy(false);
    const target = $("#yaml-text-error");
    target.textContent = err.message;
    target.hidden = false;
    $("#yaml-text").setAttribute("aria-invalid", "true");
    showError(err, "The run failed");
  }
}

function loadYamlFile() {
  const file = $("#yaml-file").files[0];
  if (!file) return;
  if (file.size > 10 * 1024 * 1024) {
    showError("That file is larger than 10 MB; the server accepts models up to its body limit (10 MB by default).");
    return;
  }
  const reader = new FileReader();
  reader.addEventListener("load", () => { $("#yaml-text").value = String(reader.result); });
  reader.addEventListener("error", () => showError("The file could not be read."));
  reader.readAsText(file);
}

/** The run title the user gave, as the run's title (a label edit: it survives rescans). */
async function nameRun(runId, prefix) {
  const title = $(`#${prefix}-name`).value.trim();
  if (!title) return;
  status.textContent = "Naming the run…";
  try {
    await api(endpoints.artifact(runId), { method: "PATCH", json: { title } });
  } catch (err) {
    showError(err, "The run was made but its title was refused");
  }
}

function landOn(runId) {
  status.textContent = "Done; opening the run…";
  window.location.assign(`/artifacts/${encodeURIComponent(runId)}`);
}

async function main() {
  const params = new URLSearchParams(window.location.search);
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => setMode(radio.value));
  }
  $("#template-form").addEventListener("submit", submitTemplate);
  $("#template-select").addEventListener("change", showTemplate);
  $("#template-defaults").addEventListener("click", () => {
    clearFieldErrors($("#template-form"));
    if (currentTemplate()) fillDefaults(currentTemplate());
  });
  $("#model-form").addEventListener("submit", submitModel);
  $("#yaml-form").addEventListener("submit", submitYaml);
  $("#yaml-file").addEventListener("change", loadYamlFile);
  const chosenInput = (artifact) => {
    $("#model-submit").disabled = !previewInput($("#input-preview"), artifact) && Boolean(artifact);
  };
  modelPicker = picker({
    input: $("#model-input"), list: $("#model-options"), chosen: $("#model-chosen"), type: "model", browse: true, onPick: chosenInput,
  });
  $("#input-kind").addEventListener("change", (event) => {
    const telemetry = event.target.value === "telemetry";
    modelPicker.filter({ type: telemetry ? "telemetry" : "model", capabilities: telemetry ? "replay" : "" });
    chosenInput(null);
  });

  const model = params.get("model");
  setMode(model ? "model" : (["template", "model", "yaml"].includes(params.get("mode")) ? params.get("mode") : "template"));
  if (model) modelPicker.set(model);

  try {
    templates = (await api(endpoints.templates())).templates || [];
  } catch (err) {
    showError(err, "Loading the templates");
    return;
  }
  const select = clear($("#template-select"));
  for (const t of templates) select.append(el("option", { value: t.id }, `${t.title} (${t.id})`));
  const wanted = params.get("template");
  if (wanted && templates.some((t) => t.id === wanted)) select.value = wanted;
  showTemplate();
  clearError();
}

startPage(main);
