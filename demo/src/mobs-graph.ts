/**
 * The wiring graph of the Mobs page: inline SVG, one column per mob, a node
 * per member, an edge per wire (dashed across mobs), each edge labelled
 * with the number of messages delivered over it. Redrawn whole (it is small),
 * but only when what it shows changed: most renders are another member's
 * events, and a redraw under the pointer or the keyboard focus would lose a
 * click on a node, or the focus.
 */
import type { Delivery, Edge, MemberRow } from "./mobs-state.js";
import { splitKey, type MemberKey } from "./mobs-setup.js";

const SVG = "http://www.w3.org/2000/svg";

const COLUMN = 210;
const NODE_W = 152;
const NODE_H = 34;
const ROW = 74;
const TOP = 64;
const PAD = 10;

interface Placed {
  x: number;
  y: number;
  column: number;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The height of a mob's box holding `count` members. */
function boxHeight(count: number): number {
  return TOP + (Math.max(1, count) - 1) * ROW + NODE_H / 2 + 14 - PAD;
}

/** Messages delivered over each wire, either way, keyed like the model's edges. */
function countByPair(deliveries: readonly Delivery[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of deliveries) {
    const id = d.from < d.to ? `${d.from} ${d.to}` : `${d.to} ${d.from}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Where each member goes: mobs as columns in the order first seen, members down each column. */
function layout(rows: readonly MemberRow[], edges: readonly Edge[]): { mobs: string[]; at: Map<MemberKey, Placed> } {
  const mobs: string[] = [];
  const byMob = new Map<string, MemberKey[]>();
  const add = (key: MemberKey) => {
    const { mobId } = splitKey(key);
    if (!byMob.has(mobId)) {
      mobs.push(mobId);
      byMob.set(mobId, []);
    }
    const column = byMob.get(mobId) as MemberKey[];
    if (!column.includes(key)) column.push(key);
  };
  for (const row of rows) add(row.key);
  // A wire may name a member before its mob is listed.
  for (const edge of edges) {
    add(edge.a);
    add(edge.b);
  }
  const at = new Map<MemberKey, Placed>();
  mobs.forEach((mobId, column) => {
    (byMob.get(mobId) ?? []).forEach((key, i) => {
      at.set(key, { x: column * COLUMN + COLUMN / 2, y: TOP + i * ROW, column });
    });
  });
  return { mobs, at };
}

/** The path of one wire: an arc beside the column inside a mob, a curve between columns. */
function edgePath(p: Placed, q: Placed): { d: string; mid: { x: number; y: number } } {
  const half = NODE_W / 2;
  if (p.column === q.column) {
    const x = p.x + half;
    const bulge = 18 + 12 * Math.round(Math.abs(q.y - p.y) / ROW);
    return { d: `M ${x} ${p.y} C ${x + bulge} ${p.y}, ${x + bulge} ${q.y}, ${x} ${q.y}`, mid: { x: x + bulge * 0.75, y: (p.y + q.y) / 2 } };
  }
  const [l, r] = p.column < q.column ? [p, q] : [q, p];
  const x1 = l.x + half;
  const x2 = r.x - half;
  const c = Math.max(24, (x2 - x1) / 2);
  return { d: `M ${x1} ${l.y} C ${x1 + c} ${l.y}, ${x2 - c} ${r.y}, ${x2} ${r.y}`, mid: { x: (x1 + x2) / 2, y: (l.y + r.y) / 2 } };
}

/** What each host's graph was last drawn from. */
const drawn = new WeakMap<HTMLElement, string>();

/** Draw the graph into `host` (replacing what was there); a click on a node calls `onSelect`. */
export function renderGraph(
  host: HTMLElement,
  rows: readonly MemberRow[],
  edges: readonly Edge[],
  deliveries: readonly Delivery[],
  selected: MemberKey | undefined,
  onSelect: (key: MemberKey) => void,
): void {
  const counts = countByPair(deliveries);
  const shown = JSON.stringify([rows.map((r) => [r.key, r.role, r.status]), edges, [...counts], selected]);
  if (drawn.get(host) === shown) return;
  drawn.set(host, shown);
  const { mobs, at } = layout(rows, edges);
  const perMob = Math.max(1, ...mobs.map((m) => [...at.keys()].filter((k) => splitKey(k).mobId === m).length));
  const width = Math.max(2, mobs.length) * COLUMN;
  const height = boxHeight(perMob) + 2 * PAD;
  // A group, not an image: an image's children are hidden from assistive
  // technology, and its member nodes are buttons.
  const summary = `Wiring: ${edges.length} wire(s) between ${at.size} member(s)`;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": summary, class: "graph" });
  root.append(svg("title", {}, summary));

  mobs.forEach((mobId, column) => {
    const count = [...at.keys()].filter((k) => splitKey(k).mobId === mobId).length;
    const box = svg("g", { class: "mob", "data-mob": mobId });
    box.append(
      svg("rect", { x: column * COLUMN + PAD, y: PAD, width: COLUMN - 2 * PAD, height: boxHeight(count), rx: 10 }),
      svg("text", { x: column * COLUMN + PAD + 12, y: PAD + 20, class: "mob-label" }, mobId),
    );
    root.append(box);
  });

  for (const edge of edges) {
    const p = at.get(edge.a);
    const q = at.get(edge.b);
    if (!p || !q) continue;
    const { d, mid } = edgePath(p, q);
    const group = svg("g", { class: edge.cross ? "edge cross" : "edge", "data-edge": edge.label });
    group.append(svg("title", {}, `${edge.label}${edge.cross ? " (across mobs)" : ""}`), svg("path", { d }));
    const n = counts.get(`${edge.a} ${edge.b}`) ?? 0;
    if (n > 0) group.append(svg("text", { x: mid.x, y: mid.y - 4, class: "edge-count" }, `${n} msg${n === 1 ? "" : "s"}`));
    root.append(group);
  }

  const rowsByKey = new Map(rows.map((r) => [r.key, r]));
  for (const [key, p] of at) {
    const row = rowsByKey.get(key);
    const node = svg("g", {
      class: key === selected ? "node selected" : "node",
      "data-member": key,
      "data-status": row?.status ?? "unknown",
      tabindex: 0,
      role: "button",
      ...(key === selected ? { "aria-current": "true" } : {}),
    });
    node.append(
      svg("title", {}, `${key} · ${row?.role ?? "?"} · ${row?.status ?? "?"}`),
      svg("rect", { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 17 }),
      svg("text", { x: p.x, y: p.y + 4.5, "text-anchor": "middle" }, splitKey(key).identity),
    );
    node.addEventListener("click", () => onSelect(key));
    node.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault(); // Space: not a scroll of the page
      onSelect(key);
    });
    root.append(node);
  }

  if (at.size === 0) {
    root.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "graph-empty" }, "No members yet"));
  }
  // A node that had the focus keeps it in the new drawing.
  const focused = host.contains(document.activeElement) ? document.activeElement?.getAttribute("data-member") : null;
  host.replaceChildren(root);
  if (focused) root.querySelector<SVGGElement>(`.node[data-member="${CSS.escape(focused)}"]`)?.focus();
}
