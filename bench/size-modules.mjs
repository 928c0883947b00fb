// What each provider module (and the JSON and JSON Schema modules, the
// run engine's modules: agent, hooks, skills, events, runtime, and the
// mob modules: comms, mob, runtime::mobs, runtime::mob_work) adds to the
// wasm, estimated from the named cargo output
// (target/wasm32-unknown-unknown/release/meerkat_web_runtime.wasm, before
// wasm-bindgen and wasm-opt -Oz, with its name section):
//
// - raw: `twiggy top` shallow bytes of every function whose name contains
//   the module path, as a share of the code section;
// - gzip: the module's function bodies replaced by `unreachable` in a copy
//   of that wasm (custom sections dropped), and the gzip -9 size difference.
//
// Both are pre-wasm-opt estimates: LTO inlines part of a module into its
// callers (Runtime::dispatch is the largest function), which these figures
// do not count, and string constants in the data section are not counted.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
export const NAMED_WASM = "target/wasm32-unknown-unknown/release/meerkat_web_runtime.wasm";

const CRATE = "meerkat_web_runtime::";

/**
 * Modules in report order: [name, label, name fragment (default: the name)];
 * a function counts for the first module whose fragment its name contains.
 * The fragments of top-level modules carry the crate path: a bare `json::`
 * would also take every other module's `write_json::h…`/`from_json::h…`,
 * and `schema::` `config::output_schema::h…`. `agent::` comes before
 * `hooks::`, so the run engine's hook phases (`agent::hooks::`) count for
 * `agent::` and `hooks::` is the registry and verdicts. The mob modules come
 * before `runtime::`, so the runtime's mob commands (`runtime::mobs::`,
 * `runtime::mob_work::`) are theirs; the comms tools' dispatch in the run
 * engine (`agent::core_tools`) stays `agent::`'s.
 */
export const MODULES = [
  ["provider::anthropic", "Anthropic Messages"],
  ["provider::openai_chat", "OpenAI Chat Completions"],
  ["provider::openai_responses", "OpenAI Responses"],
  ["provider::openai_shared", "shared by both OpenAI APIs"],
  ["provider::gemini", "Gemini"],
  ["provider::sse", "SSE framing, every provider"],
  ["schema::", "JSON Schema validation", `${CRATE}schema::`],
  ["json::", "JSON parser and writer", `${CRATE}json::`],
  ["agent::", "run engine (tools, hook phases, compaction)", `${CRATE}agent::`],
  ["hooks::", "hook registry and verdicts", `${CRATE}hooks::`],
  ["skills::", "skill sources and skill tools", `${CRATE}skills::`],
  ["events::", "events and the cursor event log", `${CRATE}events::`],
  ["comms::", "mobs: message bus and comms tools", `${CRATE}comms::`],
  ["mob::", "mobs: definitions, flows, flow runs", `${CRATE}mob::`],
  ["runtime::mobs", "mobs: commands, members, wiring, sends", `${CRATE}runtime::mobs::`],
  ["runtime::mob_work", "mobs: lifecycle, subscriptions, flows, wakes", `${CRATE}runtime::mob_work::`],
  ["runtime::", "command table and outcome routing", `${CRATE}runtime::`],
];

/** The modules of mobs, also stubbed at once for their gzip share together. */
export const MOB_MODULES = ["comms::", "mob::", "runtime::mobs", "runtime::mob_work"];

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;

function findTwiggy() {
  for (const candidate of [join(homedir(), ".cargo/bin/twiggy"), "twiggy"]) {
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      return { path: candidate, version };
    } catch {
      // try the next
    }
  }
  return undefined;
}

function moduleOf(name) {
  // A std built from source (-Zbuild-std) tags crate names with a hash:
  // `meerkat_web_runtime[1a2b…]::agent::…`.
  const plain = name.replace(/\[[0-9a-f]+\]/g, "");
  return MODULES.find(([module, , fragment = module]) => plain.includes(fragment))?.[0];
}

// ---------------------------------------------------------------- wasm binary

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let p = at;
  for (;;) {
    const b = bytes[p++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, p - at];
  }
}

function encodeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

function sections(bytes) {
  const out = [];
  for (let p = 8; p < bytes.length; ) {
    const id = bytes[p];
    const [size, n] = leb(bytes, p + 1);
    const start = p + 1 + n;
    out.push({ id, header: p, start, end: start + size });
    p = start + size;
  }
  return out;
}

function readName(bytes, p) {
  const [len, n] = leb(bytes, p);
  return [new TextDecoder().decode(bytes.subarray(p + n, p + n + len)), n + len];
}

/** Number of imported functions (function indices start after them). */
function importedFunctions(bytes, section) {
  if (!section) return 0;
  let p = section.start;
  const [count, n] = leb(bytes, p);
  p += n;
  let funcs = 0;
  const skipLimits = () => {
    const flags = bytes[p++];
    p += leb(bytes, p)[1];
    if (flags & 1) p += leb(bytes, p)[1];
  };
  for (let i = 0; i < count; i++) {
    p += readName(bytes, p)[1];
    p += readName(bytes, p)[1];
    const kind = bytes[p++];
    if (kind === 0) {
      funcs++;
      p += leb(bytes, p)[1];
    } else if (kind === 1) {
      p++; // reftype
      skipLimits();
    } else if (kind === 2) {
      skipLimits();
    } else if (kind === 3) {
      p += 2; // valtype, mutability
    } else if (kind === 4) {
      p++;
      p += leb(bytes, p)[1];
    } else {
      throw new Error(`unknown import kind ${kind}`);
    }
  }
  return funcs;
}

const ESCAPES = { LT: "<", GT: ">", RF: "&", BP: "*", C: ",", SP: "@", LP: "(", RP: ")" };

/** Rust legacy symbol → path (`_ZN19meerkat_web_runtime4json5parse17h…E` → `meerkat_web_runtime::json::parse::h…`), as twiggy shows it. */
export function demangle(symbol) {
  if (!symbol.startsWith("_ZN")) return symbol;
  const segments = [];
  let p = 3;
  while (p < symbol.length && symbol[p] !== "E") {
    const digits = /^\d+/.exec(symbol.slice(p));
    if (!digits) return symbol;
    p += digits[0].length;
    segments.push(symbol.slice(p, p + Number(digits[0])));
    p += Number(digits[0]);
  }
  const unescape = (s) =>
    s
      .replace(/^_\$/, "$")
      .replace(/\.\./g, "::")
      .replace(/\$([A-Za-z0-9]+)\$/g, (m, code) => ESCAPES[code] ?? (code[0] === "u" ? String.fromCodePoint(Number.parseInt(code.slice(1), 16)) : m));
  return segments.map(unescape).join("::");
}

/** Function index → name, from the `name` custom section. */
function functionNames(bytes, all) {
  const names = new Map();
  for (const s of all.filter((x) => x.id === 0)) {
    const [sectionName, n] = readName(bytes, s.start);
    if (sectionName !== "name") continue;
    for (let p = s.start + n; p < s.end; ) {
      const sub = bytes[p];
      const [size, m] = leb(bytes, p + 1);
      const start = p + 1 + m;
      if (sub === 1) {
        let q = start;
        const [count, k] = leb(bytes, q);
        q += k;
        for (let i = 0; i < count; i++) {
          const [index, a] = leb(bytes, q);
          q += a;
          const [name, b] = readName(bytes, q);
          q += b;
          names.set(index, demangle(name));
        }
      }
      p = start + size;
    }
  }
  return names;
}

/**
 * gzip -9 of the module without custom sections, with the bodies of the
 * functions `stub(index)` selects replaced by `unreachable`.
 */
function gzipWithStubs(bytes, all, code, imported, stub) {
  const parts = [bytes.subarray(0, 8)];
  for (const s of all) {
    if (s.id === 0) continue;
    if (s !== code) {
      parts.push(bytes.subarray(s.header, s.end));
      continue;
    }
    let p = s.start;
    const [count, n] = leb(bytes, p);
    p += n;
    const body = [encodeLeb(count)];
    for (let i = 0; i < count; i++) {
      const [size, m] = leb(bytes, p);
      const whole = bytes.subarray(p, p + m + size);
      body.push(stub(imported + i) ? [3, 0, 0x00, 0x0b] : whole); // no locals; unreachable; end
      p += m + size;
    }
    const content = Buffer.concat(body.map((b) => Buffer.from(b)));
    parts.push(Buffer.from([10, ...encodeLeb(content.length)]), content);
  }
  const module = Buffer.concat(parts.map((b) => Buffer.from(b)));
  if (!WebAssembly.validate(module)) throw new Error("size-modules: stubbed module does not validate");
  return gzip9(module);
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export async function benchSizeModules() {
  const file = here(`../${NAMED_WASM}`);
  if (!existsSync(file)) return { skipped: `${NAMED_WASM} is missing (build with npm run build:wasm)` };
  const twiggy = findTwiggy();
  if (!twiggy) return { skipped: "twiggy is not installed (cargo install twiggy); per-module sizes skipped" };

  const stale = newestSource(here("../meerkat-web-runtime/src")) > statSync(file).mtimeMs;
  const bytes = new Uint8Array(await readFile(file));
  const all = sections(bytes);
  const code = all.find((s) => s.id === 10);
  const codeBytes = code.end - code.start;

  const items = JSON.parse(execFileSync(twiggy.path, ["top", "-f", "json", file], { encoding: "utf8", maxBuffer: 64 << 20 }));
  const raw = Object.fromEntries(MODULES.map(([m]) => [m, { functions: 0, bytes: 0 }]));
  for (const { name, shallow_size: size } of items) {
    const m = moduleOf(name);
    if (!m) continue;
    raw[m].functions++;
    raw[m].bytes += size;
  }

  const imported = importedFunctions(bytes, all.find((s) => s.id === 2));
  const names = functionNames(bytes, all);
  const byIndex = new Map([...names].map(([index, name]) => [index, moduleOf(name)]));
  const gzipAll = gzipWithStubs(bytes, all, code, imported, () => false);
  const modules = MODULES.map(([m, label]) => {
    const stubbed = [...byIndex].filter(([, mod]) => mod === m).length;
    const gzip = gzipAll - gzipWithStubs(bytes, all, code, imported, (i) => byIndex.get(i) === m);
    return { module: m, label, ...raw[m], pctOfCode: (100 * raw[m].bytes) / codeBytes, gzip, stubbed };
  });
  const providers = new Set(MODULES.filter(([m]) => m.startsWith("provider::")).map(([m]) => m));
  const providersGzip = gzipAll - gzipWithStubs(bytes, all, code, imported, (i) => providers.has(byIndex.get(i)));
  const mobModules = new Set(MOB_MODULES);
  const mobsGzip = gzipAll - gzipWithStubs(bytes, all, code, imported, (i) => mobModules.has(byIndex.get(i)));
  return {
    tool: twiggy.version,
    file: NAMED_WASM,
    stale,
    raw: bytes.length,
    codeBytes,
    strippedGzip: gzipAll,
    modules,
    providers: {
      bytes: modules.filter((m) => providers.has(m.module)).reduce((s, m) => s + m.bytes, 0),
      gzip: providersGzip,
    },
    mobs: {
      bytes: modules.filter((m) => mobModules.has(m.module)).reduce((s, m) => s + m.bytes, 0),
      gzip: mobsGzip,
    },
  };
}
