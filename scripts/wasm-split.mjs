#!/usr/bin/env node
// Cuts the core's wasm into the part every app loads at start and two
// parts fetched on first use, so that apps that never use them never
// download their code:
//   the mob part: mobs, flows and comms, and HTTP skill sources, fetched
//     when an app creates its first mob or adds its first HTTP skill
//     source (≈ 38 KB gzip);
//   the pack part: the mobpack reader (inflate, SHA-256, tar, TOML, trust),
//     fetched when an app opens or inspects its first pack.
//
//   node scripts/wasm-split.mjs <in.wasm> <primary.wasm> <mob part.wasm> <pack part.wasm> [-- wasm-opt flags]
//
// <in.wasm> is wasm-bindgen's output with its name section (before wasm-opt).
// Each part holds its ENTRIES (see PARTS) and every function that only they
// reach (found on the call graph, so nothing the rest of the core uses can
// move; a function both parts reach stays in the primary too).
// In the primary, each entry becomes a stub that calls through the part's
// table (`<part>_part`); the host instantiates the part with the
// primary's exports as its "primary" imports (its memory, stack pointer,
// and the table `part_calls` of the core functions the parts call, each a
// stub in the part) and puts the part's `e<k>` exports in slot k of the
// part's table (src/mob/part.ts). A stub called before that traps, so the
// core calls an entry only once the host linked its part: a mob entry
// only when a mob (or an HTTP skill source) exists (each entry's Rust
// comment says why that holds), and the host links the mob part before
// the first `create_mob` and the first HTTP skill source. The pack
// entries, the raw exports `mobpack_read` / `mobpack_trust`
// (src/mobpack/abi.rs), have no stub, no table: only the host calls them,
// as the pack part's exports `e0` and `e1` once it linked the part
// (src/mobpack/reader.ts); a core built whole exports them instead. Both
// halves export the global `part_build`, a digest of the input: the host
// links a part only to the core of its own build. A part also holds it in
// a custom section of that name, which the host reads before it
// instantiates the part: instantiating writes the part's data into the
// core's memory, and a part of another build would write it where the
// core keeps its own.
// A part's own constant data (its error messages, format templates and
// tables: see partData) moves with it, as data segments written into the
// shared memory when the part is instantiated; the primary holds zeros
// there, which wasm-opt drops.
import binaryen from "binaryen";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

/**
 * The parts, in the order of their output files: each its entry points
 * (`[module path under the crate, function]`, or the exact name of a
 * `no_mangle` function), and the name of its table (`<name>_part`).
 */
const PARTS = [
  {
    name: "mob",
    entries: [
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
    ],
  },
  {
    name: "pack",
    // Raw exports (`#[unsafe(no_mangle)]`, src/mobpack/abi.rs): named as exported.
    entries: ["mobpack_read", "mobpack_trust"],
    // Called by the host only (src/mobpack/reader.ts), from the part's
    // exports: the primary keeps no stub, no export and no table for them
    // (−63 B gzip).
    hostOnly: true,
  },
].map((p) => ({ ...p, table: `${p.name}_part` }));
/**
 * The digest of the input both halves export: one for all the parts (the
 * same value for each; a second export cost 10 B gzip at start).
 */
const BUILD = "part_build";
/**
 * The core's functions the parts call, in one table: 180 exports cost 0.8 KB
 * gzip, a table's elements 0.1 KB; one table for both parts, not one each,
 * takes 0.1 KB gzip off the primary (the functions both call are listed once).
 */
const CALLS = "part_calls";
const CRATE = "meerkat_web_runtime";
const IMPORTS = "primary";

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

function findEntries(funcs, part) {
  return part.entries.map((entry) => {
    if (typeof entry === "string") {
      if (!funcs.has(entry)) throw new Error(`wasm-split: ${part.name} part entry ${entry} is not a function of the input`);
      return entry;
    }
    const [path, fn] = entry;
    const re = new RegExp(`^${CRATE}::${path.replace(/[<>]/g, "\\$&")}::(<impl [^>]+>::)?${fn}::h[0-9a-f]{16}$`);
    const found = [...funcs.keys()].filter((n) => re.test(n));
    if (found.length !== 1) {
      throw new Error(
        `wasm-split: ${part.name} part entry ${path}::${fn} matches ${found.length} functions; it must be one, not inlined ` +
          `(mark it #[inline(never)]) and present in a build with names`,
      );
    }
    return found[0];
  });
}

/**
 * Each part's functions: those its entries reach and neither the primary
 * (the exports and the element segments) nor another part's entries do;
 * what two parts reach stays in the primary. (Copying into a part the
 * small primary functions it calls, to spare their calls table slots,
 * took at most 0.2 KB gzip off the primary for 7 KB more pack part.)
 * Also, per part, what it needs of the primary: functions (an entry of another part
 * is one: its stub), globals and tables.
 */
function partition(graph, entryLists) {
  const { funcs, exports, elems } = graph;
  const isEntry = new Set(entryLists.flat());
  const reach = (start, skip) => {
    const seen = new Set();
    const stack = [...start];
    while (stack.length) {
      const name = stack.pop();
      if (seen.has(name) || skip(name)) continue;
      seen.add(name);
      stack.push(...funcs.get(name).calls);
    }
    return seen;
  };
  const roots = [...exports.filter((e) => e.kind === binaryen.ExternalFunction).map((e) => e.value), ...elems.flatMap((e) => e.data)];
  const resident = reach(roots, (name) => isEntry.has(name));
  const reached = entryLists.map((own) => reach(own, (name) => resident.has(name) || (isEntry.has(name) && !own.includes(name))));
  const shared = new Set([...funcs.keys()].filter((name) => reached.filter((part) => part.has(name)).length > 1));
  return reached.map((part) => {
    for (const name of shared) part.delete(name);
    const needs = { funcs: new Set(), globals: new Set(), tables: new Set() };
    for (const name of part) {
      const f = funcs.get(name);
      for (const callee of f.calls) if (!part.has(callee)) needs.funcs.add(callee);
      for (const g of f.globals) needs.globals.add(g);
      for (const t of f.tables) needs.tables.add(t);
    }
    return { part, needs };
  });
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
 * The data only one part uses, per part, as `{ at, file, bytes }` runs.
 * Code names data by address (an `i32.const`, or a load's offset), and so
 * does data (a 4-byte word pointing into the data: a string of a table of
 * strings); each named address starts an object that runs to the next
 * named one. An object moves to a part when only that part names it: its
 * functions, or objects that move to it. Anything a primary function or
 * an object of the primary names stays, as does anything two parts name:
 * before a part is linked, the primary and the other part can only reach
 * data through those. (Missing the load offsets once moved a table the
 * primary reads at start: every suite caught it.) Moving the mob part's
 * 6.4 KB of data takes 1.7 KB gzip off the primary and adds 3.7 KB to the
 * part (text compresses less well away from the rest); following the
 * data's own pointers moves 0.3 KB more (−148 B gzip off the primary).
 */
function partData(bytes, graph, parts) {
  const segments = dataSegments(bytes);
  const STAYS = -1;
  const owners = new Map(); // address -> the one part that names it, or STAYS (unknown yet: undefined)
  const merge = (known, k) => (known === undefined || known === k ? k : STAYS);
  const segmentOf = (a) => segments.find((s) => a >= s.at && a < s.at + s.end - s.start);
  for (const [name, f] of graph.funcs) {
    const k = parts.findIndex(({ part }) => part.has(name));
    for (const a of f.consts) if (segmentOf(a)) owners.set(a, k < 0 ? STAYS : merge(owners.get(a), k));
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
  // An object's owner names what its words point at; until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [word, target] of pointers) {
      const holder = objectOf(word);
      const k = holder === undefined ? STAYS : owners.get(holder);
      if (k === undefined) continue;
      const merged = k === STAYS ? STAYS : merge(owners.get(target), k);
      if (merged !== owners.get(target)) {
        owners.set(target, merged);
        changed = true;
      }
    }
  }
  const runs = parts.map(() => []);
  named.forEach((at, i) => {
    const k = owners.get(at) ?? STAYS;
    if (k === STAYS) return;
    const s = segmentOf(at);
    const stop = Math.min(named[i + 1] ?? Infinity, s.at + s.end - s.start);
    const last = runs[k].at(-1);
    if (last && last.at + last.size === at) last.size += stop - at;
    else runs[k].push({ at, size: stop - at, file: s.start + (at - s.at) });
  });
  return runs.map((list) => list.map(({ at, size, file }) => ({ at, file, bytes: bytes.subarray(file, file + size) })));
}

/** The primary: each part's entries stubs through its table, each part's functions and data gone. */
function primary(bytes, graph, splits, shared, tag) {
  // The parts' data is theirs: zeros here (wasm-opt drops them).
  bytes = Buffer.from(bytes);
  for (const { data } of splits) for (const run of data) bytes.fill(0, run.file, run.file + run.bytes.length);
  const mod = read(bytes);
  for (const { spec, entries, part, needs } of splits) {
    if (!spec.hostOnly) {
      mod.addTable(spec.table, entries.length, entries.length);
      mod.addTableExport(spec.table, spec.table);
    }
    entries.forEach((name, slot) => {
      if (spec.hostOnly) {
        // Only the host calls it, from the part's exports: no stub here.
        for (const e of graph.exports) if (e.kind === binaryen.ExternalFunction && e.value === name) mod.removeExport(e.name);
        mod.removeFunction(name);
        return;
      }
      const { params, results } = graph.funcs.get(name).info;
      const args = binaryen.expandType(params).map((type, i) => mod.local.get(i, type));
      mod.removeFunction(name);
      mod.addFunction(name, params, results, [], mod.call_indirect(spec.table, mod.i32.const(slot), args, params, results));
    });
    for (const name of part) if (!entries.includes(name)) mod.removeFunction(name);
  }
  mod.addGlobal(BUILD, binaryen.i32, false, mod.i32.const(tag));
  mod.addGlobalExport(BUILD, BUILD);
  mod.addTable(CALLS, shared.calls.length, shared.calls.length);
  mod.addActiveElementSegment(CALLS, CALLS, shared.calls, mod.i32.const(0));
  mod.addTableExport(CALLS, CALLS);
  shared.globals.forEach((name, i) => mod.addGlobalExport(name, `g${i}`));
  shared.tables.forEach((name, i) => mod.addTableExport(name, `t${i}`));
  if (!mod.validate()) throw new Error("wasm-split: the primary module does not validate");
  return mod.emitBinary();
}

/** A part: its functions, stubs of the primary's it calls, its data; the rest imported from the primary. */
function secondary(bytes, { spec, entries, part, needs, data }, shared, tag) {
  const mod = read(bytes);
  const { funcs, exports, elems } = callGraph(mod);
  const memory = exports.find((e) => e.kind === binaryen.ExternalMemory)?.value;
  for (const e of exports) mod.removeExport(e.name);
  for (const e of elems) mod.removeElementSegment(e.name);
  // Each core function the part calls becomes a stub calling through the core's calls table.
  const wanted = shared.calls;
  for (const [name, { info }] of funcs) {
    if (part.has(name)) continue;
    mod.removeFunction(name);
    if (!needs.funcs.has(name)) continue;
    const slot = wanted.indexOf(name);
    const args = binaryen.expandType(info.params).map((type, i) => mod.local.get(i, type));
    mod.addFunction(name, info.params, info.results, [], mod.call_indirect(CALLS, mod.i32.const(slot), args, info.params, info.results));
  }
  for (let i = mod.getNumGlobals() - 1; i >= 0; i--) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    mod.removeGlobal(g.name);
    if (needs.globals.has(g.name)) mod.addGlobalImport(g.name, IMPORTS, `g${shared.globals.indexOf(g.name)}`, g.type, g.mutable);
  }
  for (let i = mod.getNumTables() - 1; i >= 0; i--) {
    const t = binaryen.getTableInfo(mod.getTableByIndex(i));
    mod.removeTable(t.name);
    if (needs.tables.has(t.name)) mod.addTableImport(t.name, IMPORTS, `t${shared.tables.indexOf(t.name)}`);
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
  // The digest again, readable before the part is instantiated (which
  // writes its data into the core's memory): the host checks it first.
  const digest = Buffer.alloc(4);
  digest.writeInt32LE(tag);
  mod.addCustomSection(BUILD, digest);
  if (!mod.validate()) throw new Error(`wasm-split: the ${spec.name} part does not validate`);
  return mod.emitBinary();
}

function wasmOpt(file, flags) {
  const run = spawnSync("wasm-opt", [file, "-o", file, ...flags], { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`wasm-split: wasm-opt failed on ${file}`);
}

function main(argv) {
  const dash = argv.indexOf("--");
  const [input, primaryOut, ...partOuts] = dash < 0 ? argv : argv.slice(0, dash);
  const flags = dash < 0 ? [] : argv.slice(dash + 1);
  if (partOuts.length !== PARTS.length) {
    throw new Error("usage: wasm-split.mjs <in.wasm> <primary.wasm> <mob part.wasm> <pack part.wasm> [-- wasm-opt flags]");
  }
  const bytes = readFileSync(input);
  const graph = callGraph(read(bytes));
  const entryLists = PARTS.map((spec) => findEntries(graph.funcs, spec));
  const splits = partition(graph, entryLists).map((split, k) => ({ spec: PARTS[k], entries: entryLists[k], ...split }));
  partData(bytes, graph, splits).forEach((data, k) => (splits[k].data = data));
  // Globals and tables the parts import, exported once as g<i> and t<i>; the functions they call.
  const union = (key) => [...new Set(splits.flatMap(({ needs }) => [...needs[key]]))];
  // The calls in the module's order, as wasm-opt mostly keeps it: the table's elements gzip better (−57 B gzip).
  const order = new Map([...graph.funcs.keys()].map((name, i) => [name, i]));
  const shared = {
    globals: union("globals"),
    tables: union("tables"),
    calls: union("funcs").sort((a, b) => order.get(a) - order.get(b)),
  };
  const tag = createHash("sha256").update(bytes).digest().readInt32LE(0);
  writeFileSync(primaryOut, primary(bytes, graph, splits, shared, tag));
  splits.forEach((split, k) => writeFileSync(partOuts[k], secondary(bytes, split, shared, tag)));
  // Twice: --converge stops when a round no longer shrinks the binary, yet a
  // second run from the first's output still finds some (-40 B gzip on the
  // core, -18 B on the mob part); a third changes nothing.
  for (const file of [primaryOut, ...partOuts]) for (let run = 0; run < 2; run++) wasmOpt(file, flags);
  for (const { spec, part, entries, data } of splits) {
    const moved = data.reduce((n, run) => n + run.bytes.length, 0);
    console.log(
      `wasm-split: ${part.size} of ${graph.funcs.size} functions to the ${spec.name} part (${entries.length} entries), ` +
        `and ${moved} bytes of data (${data.length} segments)`,
    );
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
