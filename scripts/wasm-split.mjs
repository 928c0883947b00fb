#!/usr/bin/env node
// Splits the core's wasm in two: the part every app loads at start, and the
// "mob part" (mobs, flows and comms, and HTTP skill sources), fetched only
// when an app creates its first mob or adds its first HTTP skill source.
// Chat-only apps then never download that code (≈ 38 KB gzip).
//
//   node scripts/wasm-split.mjs <in.wasm> <primary.wasm> <part.wasm> [-- wasm-opt flags]
//
// <in.wasm> is wasm-bindgen's output with its name section (before wasm-opt).
// The part holds the ENTRIES below and every function that only they reach
// (found on the call graph, so nothing the rest of the core uses can move).
// In the primary, each entry becomes a stub that calls through the table
// `mob_part` (exported as MOB_PART_TABLE); the host instantiates the part
// with the primary's exports as its "primary" imports (its memory, stack
// pointer, and the table CALLS of the core functions the part calls, each
// a stub in the part) and puts the part's `e<k>` exports in slot k of
// MOB_PART_TABLE (src/mob/part.ts). A stub called before that
// traps, so the core calls an entry only when a mob (or an HTTP skill
// source) exists (each entry's Rust comment says why that holds) and the
// host links the part before the first `create_mob` and the first HTTP
// skill source. Both halves export the global BUILD, a digest of
// the input: the host links a part only to the core of its own build.
// The part's own constant data (its error messages, format templates and
// tables: see partData) moves with it, as data segments written into the
// shared memory when the part is instantiated; the primary holds zeros
// there, which wasm-opt drops.
import binaryen from "binaryen";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

/** `[module path under the crate, function]`: the part's entry points. */
const ENTRIES = [
  ["runtime::mobs", "mob_command"],
  ["runtime::mob_work", "member_run_ended"],
  ["runtime::mob_work", "wake"],
  ["runtime::mob_work", "bus_notes"],
  ["runtime::mob_work", "poll_mob"],
  ["runtime::mob_work", "mob_timer"],
  ["runtime::mob_work", "comms_timer"],
  ["comms::send", "call"],
  ["skills::SkillRegistry", "add_http"],
  ["skills::SkillRegistry", "refresh"],
  ["skills::SkillRegistry", "on_http"],
];
const CRATE = "meerkat_web_runtime";
const MOB_PART_TABLE = "mob_part";
const IMPORTS = "primary";
const BUILD = "mob_part_build";
/** The core's functions the part calls, in a table: 180 exports cost 0.8 KB gzip, a table's elements 0.1 KB. */
const CALLS = "mob_part_calls";

const NAME = String.raw`\$(?:"(?:[^"\\]|\\.)*"|[^\s()"]+)`;
const FUNC_LINE = new RegExp(String.raw`^ \(func (${NAME})`);
const CALL = new RegExp(String.raw`\((?:call|return_call|ref\.func) (${NAME})`, "g");
const GLOBAL = new RegExp(String.raw`\(global\.[gs]et (${NAME})`, "g");
const TABLE = new RegExp(String.raw`\((?:call_indirect|return_call_indirect|table\.[a-z]+) (${NAME})`, "g");
/** An address in code: a constant, or a load's or store's offset (where LLVM folds a static's address). */
const CONST = /\(i32\.const (-?\d+)\)| offset=(\d+)/g;

/** A name as binaryen prints it (`$name` or `$"name with spaces"`) → the name. */
function nameOf(printed) {
  const body = printed.slice(1);
  if (!body.startsWith('"')) return body;
  return body.slice(1, -1).replace(/\\(["\\ntr]|[0-9a-fA-F]{2})/g, (_, e) =>
    ({ n: "\n", t: "\t", r: "\r" })[e] ?? (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e),
  );
}

/** Proposals the input uses (rustc's defaults and wasm-bindgen's externref table). */
const FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.ReferenceTypes |
  binaryen.Features.Multivalue;

function read(bytes) {
  // Not Features.All: binaryen would write proposals engines lack (Node 20
  // refuses its compact import section).
  const mod = binaryen.readBinary(bytes);
  mod.setFeatures(FEATURES);
  return mod;
}

/** Functions with what each one calls and which globals and tables it touches. */
function callGraph(mod) {
  const funcs = new Map();
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    funcs.set(info.name, { info, calls: new Set(), globals: new Set(), tables: new Set(), consts: new Set() });
  }
  const defaultTable = mod.getNumTables() > 0 ? binaryen.getTableInfo(mod.getTableByIndex(0)).name : null;
  const named = (printed) => {
    const name = nameOf(printed);
    if (!funcs.has(name)) throw new Error(`wasm-split: cannot resolve ${printed}`);
    return name;
  };
  let current = null;
  for (const line of mod.emitText().split("\n")) {
    const head = FUNC_LINE.exec(line);
    if (head) {
      current = funcs.get(named(head[1]));
      continue;
    }
    if (line.startsWith(" (")) current = null;
    if (!current) continue;
    for (const m of line.matchAll(CALL)) current.calls.add(named(m[1]));
    for (const m of line.matchAll(GLOBAL)) current.globals.add(nameOf(m[1]));
    for (const m of line.matchAll(TABLE)) current.tables.add(nameOf(m[1]));
    for (const m of line.matchAll(CONST)) current.consts.add(Number(m[1] ?? m[2]) >>> 0);
    if (/\(call_indirect(\s*\(type|\s*$)/.test(line)) current.tables.add(defaultTable);
  }
  const exports = [];
  for (let i = 0; i < mod.getNumExports(); i++) exports.push(binaryen.getExportInfo(mod.getExportByIndex(i)));
  const elems = [];
  for (let i = 0; i < mod.getNumElementSegments(); i++) {
    elems.push(binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i)));
  }
  return { funcs, exports, elems };
}

function findEntries(funcs) {
  return ENTRIES.map(([path, fn]) => {
    const re = new RegExp(`^${CRATE}::${path.replace(/[<>]/g, "\\$&")}::(<impl [^>]+>::)?${fn}::h[0-9a-f]{16}$`);
    const found = [...funcs.keys()].filter((n) => re.test(n));
    if (found.length !== 1) {
      throw new Error(
        `wasm-split: entry ${path}::${fn} matches ${found.length} functions; it must be one, not inlined ` +
          `(mark it #[inline(never)]) and present in a build with names`,
      );
    }
    return found[0];
  });
}

/** The part: functions reachable only through an entry. */
function partition(graph, entries) {
  const { funcs, exports, elems } = graph;
  const isEntry = new Set(entries);
  const resident = new Set();
  const stack = [
    ...exports.filter((e) => e.kind === binaryen.ExternalFunction).map((e) => e.value),
    ...elems.flatMap((e) => e.data),
  ].filter((n) => !isEntry.has(n));
  while (stack.length) {
    const name = stack.pop();
    if (resident.has(name) || isEntry.has(name)) continue;
    resident.add(name);
    stack.push(...funcs.get(name).calls);
  }
  const part = new Set([...funcs.keys()].filter((n) => !resident.has(n)));
  const needs = { funcs: new Set(), globals: new Set(), tables: new Set() };
  for (const name of part) {
    const f = funcs.get(name);
    for (const callee of f.calls) if (!part.has(callee)) needs.funcs.add(callee);
    for (const g of f.globals) needs.globals.add(g);
    for (const t of f.tables) needs.tables.add(t);
  }
  // In the module's order, as wasm-opt mostly keeps it: the table's elements gzip better (−11 B gzip in the part).
  const order = new Map([...funcs.keys()].map((name, i) => [name, i]));
  needs.funcs = new Set([...needs.funcs].sort((a, b) => order.get(a) - order.get(b)));
  return { part, needs };
}

/**
 * The data section's segments: `{ at, start, end }` (memory address, and
 * where the bytes lie in the file), or `[]` for a layout this does not
 * read (then no data moves).
 */
function dataSegments(bytes) {
  let p = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[p++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const end = leb() + p;
    if (id !== 11) {
      p = end;
      continue;
    }
    const segments = [];
    for (let n = leb(); n > 0; n--) {
      // Active, memory 0, at `i32.const <at>` (rustc's only kind; its addresses are small positive numbers).
      if (leb() !== 0 || bytes[p++] !== 0x41) return [];
      const at = leb();
      if (bytes[p++] !== 0x0b) return [];
      const size = leb();
      segments.push({ at, start: p, end: p + size });
      p += size;
    }
    return segments;
  }
  return [];
}

/**
 * The data only the part uses, as `{ at, file, bytes }` runs. Code names
 * data by address (an `i32.const`, or a load's offset), and so does data
 * (a 4-byte word pointing into the data: a string of a table of strings);
 * each named address starts an object that runs to the next named one. An
 * object moves when only the part names it: its functions, or objects
 * that move. Anything a primary function or an object of the primary
 * names stays: before the part is linked, the primary can only reach data
 * through those. (Missing the load offsets once moved a table the primary
 * reads at start: every suite caught it.) Moving 6.4 KB of data takes 1.7
 * KB gzip off the primary and adds 3.7 KB to the part (text compresses
 * less well away from the rest); following the data's own pointers moves
 * 0.3 KB more (−148 B gzip off the primary, +124 B to the part).
 */
function partData(bytes, graph, part) {
  const segments = dataSegments(bytes);
  const owners = new Map(); // address -> named by the primary? (unknown yet: undefined)
  const segmentOf = (a) => segments.find((s) => a >= s.at && a < s.at + s.end - s.start);
  for (const [name, f] of graph.funcs) {
    for (const a of f.consts) if (segmentOf(a)) owners.set(a, (owners.get(a) ?? false) || !part.has(name));
  }
  const pointers = []; // [where the word is, the address it holds]
  for (const s of segments) {
    for (let i = s.start; i + 4 <= s.end; i += 4) {
      const a = bytes.readUInt32LE(i);
      if (!segmentOf(a)) continue;
      pointers.push([s.at + (i - s.start), a]);
      if (!owners.has(a)) owners.set(a, undefined);
    }
  }
  const named = [...owners.keys()].sort((a, b) => a - b);
  /** The object holding `a`: the last named address at or before it, in its segment. */
  const objectOf = (a) => {
    let lo = 0;
    for (let hi = named.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (named[mid] <= a) lo = mid + 1;
      else hi = mid;
    }
    const at = named[lo - 1];
    return at !== undefined && segmentOf(at) === segmentOf(a) ? at : undefined;
  };
  // What an object's words point at is named by the object's owner; until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [word, target] of pointers) {
      const holder = objectOf(word);
      const primary = holder === undefined || owners.get(holder);
      if (primary === undefined) continue;
      const merged = (owners.get(target) ?? false) || primary;
      if (merged !== owners.get(target)) {
        owners.set(target, merged);
        changed = true;
      }
    }
  }
  const runs = [];
  named.forEach((at, i) => {
    if (owners.get(at) ?? true) return;
    const s = segmentOf(at);
    const stop = Math.min(named[i + 1] ?? Infinity, s.at + s.end - s.start);
    const last = runs.at(-1);
    if (last && last.at + last.size === at) last.size += stop - at;
    else runs.push({ at, size: stop - at, file: s.start + (at - s.at) });
  });
  return runs.map(({ at, size, file }) => ({ at, file, bytes: bytes.subarray(file, file + size) }));
}

function primary(bytes, graph, entries, { part, needs, data }, tag) {
  // The part's data is the part's: zeros here (wasm-opt drops them).
  bytes = Buffer.from(bytes);
  for (const run of data) bytes.fill(0, run.file, run.file + run.bytes.length);
  const mod = read(bytes);
  mod.addTable(MOB_PART_TABLE, entries.length, entries.length);
  mod.addTableExport(MOB_PART_TABLE, MOB_PART_TABLE);
  entries.forEach((name, slot) => {
    const { params, results } = graph.funcs.get(name).info;
    const args = binaryen.expandType(params).map((type, i) => mod.local.get(i, type));
    mod.removeFunction(name);
    mod.addFunction(name, params, results, [], mod.call_indirect(MOB_PART_TABLE, mod.i32.const(slot), args, params, results));
  });
  for (const name of part) if (!entries.includes(name)) mod.removeFunction(name);
  const calls = [...needs.funcs];
  mod.addTable(CALLS, calls.length, calls.length);
  mod.addActiveElementSegment(CALLS, CALLS, calls, mod.i32.const(0));
  mod.addTableExport(CALLS, CALLS);
  [...needs.globals].forEach((name, i) => mod.addGlobalExport(name, `g${i}`));
  [...needs.tables].forEach((name, i) => mod.addTableExport(name, `t${i}`));
  mod.addGlobal(BUILD, binaryen.i32, false, mod.i32.const(tag));
  mod.addGlobalExport(BUILD, BUILD);
  if (!mod.validate()) throw new Error("wasm-split: the primary module does not validate");
  return mod.emitBinary();
}

function secondary(bytes, entries, { part, needs, data }, tag) {
  const mod = read(bytes);
  const { funcs, exports, elems } = callGraph(mod);
  const memory = exports.find((e) => e.kind === binaryen.ExternalMemory)?.value;
  for (const e of exports) mod.removeExport(e.name);
  for (const e of elems) mod.removeElementSegment(e.name);
  // Each core function the part calls becomes a stub calling through the core's table CALLS.
  const wanted = [...needs.funcs];
  for (const [name, { info }] of funcs) {
    if (part.has(name)) continue;
    mod.removeFunction(name);
    const slot = wanted.indexOf(name);
    if (slot < 0) continue;
    const args = binaryen.expandType(info.params).map((type, i) => mod.local.get(i, type));
    mod.addFunction(name, info.params, info.results, [], mod.call_indirect(CALLS, mod.i32.const(slot), args, info.params, info.results));
  }
  const globals = [...needs.globals];
  for (let i = mod.getNumGlobals() - 1; i >= 0; i--) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    mod.removeGlobal(g.name);
    const k = globals.indexOf(g.name);
    if (k >= 0) mod.addGlobalImport(g.name, IMPORTS, `g${k}`, g.type, g.mutable);
  }
  const tables = [...needs.tables];
  for (let i = mod.getNumTables() - 1; i >= 0; i--) {
    const t = binaryen.getTableInfo(mod.getTableByIndex(i));
    mod.removeTable(t.name);
    const k = tables.indexOf(t.name);
    if (k >= 0) mod.addTableImport(t.name, IMPORTS, `t${k}`);
  }
  mod.addTable(CALLS, wanted.length, wanted.length);
  mod.addTableImport(CALLS, IMPORTS, CALLS);
  // The memory is the primary's; the data only the part uses is written into it when the part is linked.
  const { initial, max } = mod.getMemoryInfo();
  const segments = data.map((run) => ({ offset: mod.i32.const(run.at), data: run.bytes, passive: false }));
  mod.setMemory(initial, max ?? -1, null, segments, false, false, memory);
  mod.addMemoryImport(memory, IMPORTS, "memory");
  entries.forEach((name, slot) => mod.addFunctionExport(name, `e${slot}`));
  mod.addGlobal(BUILD, binaryen.i32, false, mod.i32.const(tag));
  mod.addGlobalExport(BUILD, BUILD);
  if (!mod.validate()) throw new Error("wasm-split: the mob part does not validate");
  return mod.emitBinary();
}

function wasmOpt(file, flags) {
  const run = spawnSync("wasm-opt", [file, "-o", file, ...flags], { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`wasm-split: wasm-opt failed on ${file}`);
}

function main(argv) {
  const dash = argv.indexOf("--");
  const [input, primaryOut, partOut] = dash < 0 ? argv : argv.slice(0, dash);
  const flags = dash < 0 ? [] : argv.slice(dash + 1);
  if (!partOut) throw new Error("usage: wasm-split.mjs <in.wasm> <primary.wasm> <part.wasm> [-- wasm-opt flags]");
  const bytes = readFileSync(input);
  const graph = callGraph(read(bytes));
  const entries = findEntries(graph.funcs);
  const split = partition(graph, entries);
  split.data = partData(bytes, graph, split.part);
  const tag = createHash("sha256").update(bytes).digest().readInt32LE(0);
  writeFileSync(primaryOut, primary(bytes, graph, entries, split, tag));
  writeFileSync(partOut, secondary(bytes, entries, split, tag));
  for (const file of [primaryOut, partOut]) wasmOpt(file, flags);
  const moved = split.data.reduce((n, run) => n + run.bytes.length, 0);
  console.log(
    `wasm-split: ${split.part.size} of ${graph.funcs.size} functions to the mob part (${entries.length} entries), ` +
      `and ${moved} bytes of data (${split.data.length} segments)`,
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
