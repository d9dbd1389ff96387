// Pictures: an artifact's lineage (from /lineage) and a model's node DAG (from /v1/graph), as layered SVG.
const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 190;
const NODE_H = 34;
const GAP_X = 60;
const GAP_Y = 14;
const MAX_PER_COLUMN = 12;  // a long column (151 runs of one model) ends in "+N more"

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const clip = (text, n = 26) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** Lay out columns of nodes ({key, label, href?, kind, current?}); edges [[fromKey, toKey]]; returns an <svg>. */
function layered(columns, edges, label) {
  const shown = columns.map((col) => (col.length > MAX_PER_COLUMN
    ? [...col.slice(0, MAX_PER_COLUMN - 1), { key: `more-${col[0].key}`, label: `+${col.length - MAX_PER_COLUMN + 1} more`, kind: "more" }]
    : col));
  const tallest = Math.max(1, ...shown.map((c) => c.length));
  const width = shown.length * (NODE_W + GAP_X) - GAP_X + 8;
  const height = tallest * (NODE_H + GAP_Y) - GAP_Y + 8;
  const where = new Map();
  shown.forEach((col, i) => {
    const top = (height - (col.length * (NODE_H + GAP_Y) - GAP_Y)) / 2;
    col.forEach((node, j) => where.set(node.key, { x: 4 + i * (NODE_W + GAP_X), y: top + j * (NODE_H + GAP_Y) }));
  });
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "graph", role: "group", "aria-label": label });
  const lines = svg("g", { class: "graph-edges", "aria-hidden": "true" });
  for (const [from, to] of edges) {
    const a = where.get(from);
    const b = where.get(to);
    if (!a || !b) continue;
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    const x1 = left.x + NODE_W;
    const y1 = left.y + NODE_H / 2;
    const x2 = right.x;
    const y2 = right.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    lines.append(svg("path", { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: "graph-edge", "marker-end": "url(#arrow)" }));
  }
  const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
    svg("path", { d: "M0,0 L10,5 L0,10 z", class: "graph-arrow" })));
  root.append(defs, lines);
  for (const col of shown) {
    for (const node of col) {
      const { x, y } = where.get(node.key);
      const box = svg("g", { class: `graph-node kind-${node.kind}${node.current ? " is-current" : ""}`, transform: `translate(${x},${y})`, "data-key": node.key },
        svg("title", {}, node.title || node.label),
        svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }),
        svg("text", { x: 10, y: NODE_H / 2 + 5 }, clip(node.label)));
      root.append(node.href ? svg("a", { href: node.href, class: "graph-link", "aria-label": `${node.kind} ${node.title || node.label}` }, box) : box);
    }
  }
  return root;
}

/** The lineage picture: ancestors to the left, the artifact, descendants to the right; every node links to its page. */
export function lineageGraph(lineage) {
  const byId = new Map((lineage.nodes || []).map((n) => [n.id, n]));
  const level = new Map([[lineage.artifact_id, 0]]);
  const queue = [lineage.artifact_id];
  while (queue.length) {
    const id = queue.shift();
    for (const edge of lineage.edges || []) {
      // an edge `from` derives from `to`: `to` is one step up (left), `from` one step down (right)
      const next = edge.from === id ? [edge.to, level.get(id) - 1] : edge.to === id ? [edge.from, level.get(id) + 1] : null;
      if (next && !level.has(next[0])) {
        level.set(next[0], next[1]);
        queue.push(next[0]);
      }
    }
  }
  const levels = [...new Set(level.values())].sort((a, b) => a - b);
  const columns = levels.map((l) => [...level.entries()].filter(([, v]) => v === l).map(([id]) => {
    const n = byId.get(id) || { id, type: "unknown" };
    return { key: id, label: n.title || id, title: `${n.title || id} (${id})`, kind: n.type || "unknown", current: id === lineage.artifact_id,
      href: id === lineage.artifact_id ? undefined : `/artifacts/${encodeURIComponent(id)}` };
  }));
  const edges = (lineage.edges || []).map((e) => [e.to, e.from]);
  return layered(columns, edges, `Lineage of ${lineage.artifact_id}: ${byId.size} artifacts within ${lineage.depth} steps`);
}

/** A model's DAG: nodes [{id, inputs}] in columns by depth (inputs to the left). */
export function modelGraph(nodes) {
  const inputs = new Map(nodes.map((n) => [n.id, (n.inputs || []).filter((i) => nodes.some((m) => m.id === i))]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;  // a cycle cannot be a valid model; never loop on one
    seen.add(id);
    const d = Math.max(-1, ...inputs.get(id).map((i) => depthOf(i, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  nodes.forEach((n) => depthOf(n.id));
  const columns = [];
  for (const n of nodes) (columns[depth.get(n.id)] ||= []).push({ key: n.id, label: n.id, kind: n.kind || "node" });
  const edges = nodes.flatMap((n) => inputs.get(n.id).map((i) => [i, n.id]));
  return layered(columns.filter(Boolean), edges, `Model graph: ${nodes.length} nodes, ${edges.length} edges`);
}
