// The x axis of result charts in real time, and the PNG/CSV downloads of a drawn chart.
import { formatNumber } from "./common.js";

const UNIT_MINUTES = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };

/** The bin width in minutes and the unit to name it in: binSize + binUnit as given, else binMinutes. */
export function binWidth(grid = {}) {
  if (grid.binUnit && UNIT_MINUTES[grid.binUnit] && grid.binSize) {
    return { minutes: grid.binSize * UNIT_MINUTES[grid.binUnit], size: grid.binSize, unit: grid.binUnit };
  }
  const minutes = Number(grid.binMinutes) || 0;
  if (!minutes) return null;
  if (minutes % 1440 === 0) return { minutes, size: minutes / 1440, unit: "days" };
  if (minutes % 60 === 0) return { minutes, size: minutes / 60, unit: "hours" };
  return { minutes, size: minutes, unit: "minutes" };
}

/** "1 hour", "15 minutes". */
export const widthText = (w) => `${formatNumber(w.size)} ${w.size === 1 ? w.unit.replace(/s$/, "") : w.unit}`;

function parseStart(text) {
  // The grid's start in spec.yaml, block or flow style (the text is the model as written).
  const match = /startTimeUtc["']?\s*:\s*["']?(\d{4}-\d\d-\d\d[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)/.exec(text || "");
  const date = match ? new Date(match[1].trim()) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** Axis builder: `axis(bins)` gives {x, time, xLabel}; the grid's start time when known, else bin × width. */
export function gridAxis(width, start) {
  return (bins) => {
    const index = Array.from({ length: bins }, (_, i) => i);
    if (start && width) {
      const t0 = start.getTime() / 1000;
      return { x: index.map((i) => t0 + i * width.minutes * 60), time: true, xLabel: "time (UTC)" };
    }
    if (width) return { x: index.map((i) => i * width.size), time: false, xLabel: `time since start (${width.unit})` };
    return { x: index, time: false, xLabel: "bin" };
  };
}

/** The axis of a run: its grid (metadata), the start time of its spec, the units of its series index. */
export async function runAxis(artifact, loadSpec, loadIndex) {
  const hasSpec = (artifact.file_details || []).some((f) => f.name === "spec.yaml");
  const [spec, index] = await Promise.all([
    hasSpec ? loadSpec().catch(() => "") : "",
    loadIndex().catch(() => null),
  ]);
  const grid = (index && index.grid) || (artifact.metadata && artifact.metadata.grid) || {};
  const width = binWidth(grid);
  const start = parseStart(spec);
  const units = new Map(((index && index.series) || []).map((s) => [s.id, s.unit]));
  return {
    axis: gridAxis(width, start),
    unitOf: (ids) => {
      const found = [...new Set(ids.map((id) => units.get(id)).filter(Boolean))];
      return found.length === 1 ? found[0] : found.length ? "mixed units" : undefined;
    },
    note: width ? `${widthText(width)} per bin` : "",
  };
}

/** The axis of a telemetry file: its own time column (the catalog's time range and bin width). */
export function telemetryAxis(catalog) {
  const width = catalog.bin_minutes ? binWidth({ binMinutes: catalog.bin_minutes }) : null;
  const start = catalog.time_range && catalog.time_range.start ? new Date(catalog.time_range.start) : null;
  const valid = start && !Number.isNaN(start.getTime()) ? start : null;
  return { axis: gridAxis(width, valid), note: width ? `${widthText(width)} per bin` : "" };
}

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

const fileStem = (name) => String(name || "chart").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "chart";

/** The chart's data as CSV: the x column (ISO times for a time axis), then one column per series. */
export function chartCsv(view) {
  const quote = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const head = [view.time ? "time" : view.xLabel, ...view.labels].map(quote).join(",");
  const rows = view.data[0].map((x, i) => [
    view.time ? new Date(x * 1000).toISOString() : String(x),
    ...view.data.slice(1).map((col) => (col[i] === null || col[i] === undefined ? "" : String(col[i]))),
  ].join(","));
  return `${[head, ...rows].join("\n")}\n`;
}

export function downloadCsv(container, name) {
  if (!container.chartView) return;
  save(new Blob([chartCsv(container.chartView)], { type: "text/csv" }), `${fileStem(name)}.csv`);
}

/** The plot (axes and lines, uPlot's canvas) on a white background with the title above it, as PNG. */
export function downloadPng(container, name) {
  if (!container.chartView) return;
  const source = container.chartView.chart.ctx.canvas;
  const titleHeight = 32;
  const canvas = document.createElement("canvas");
  canvas.width = source.width;
  canvas.height = source.height + titleHeight;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#0f172a";
  ctx.font = "600 16px system-ui, sans-serif";
  ctx.fillText(`${name} — ${container.chartView.labels.join(", ")}`.slice(0, 160), 8, 22);
  ctx.drawImage(source, 0, titleHeight);
  canvas.toBlob((blob) => blob && save(blob, `${fileStem(name)}.png`), "image/png");
}
