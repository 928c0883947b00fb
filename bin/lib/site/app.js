// The page: reads site.json, asks for the provider base URLs, then starts
// the runtime in a module Worker with the pack (the runtime checks it
// against site.json's trust), creates the pack's mob, spawns one member per
// profile (the orchestrator first), and keeps the members table and each
// member's event log up to date on every animation frame.
import { View } from "./view.js";

const PROXY = "http://localhost:3100";
const PROVIDERS = ["anthropic", "openai", "gemini"];
/** Mob events after which the members table is asked again. */
const MEMBER_CHANGES = new Set(["member_spawned", "member_retired", "peers_wired", "peers_unwired", "mob_status_changed"]);

const view = new View();
// A file the host does not serve (a partial upload, a wrong path) is said on
// the page, not only in the console: hence site.json's check and the runtime
// imported here, not statically (index.html preloads it all the same).
let site;
let connectRuntime;
try {
  const response = await fetch("./site.json");
  if (!response.ok) throw new Error(`could not load site.json: HTTP ${response.status}`);
  site = await response.json();
  ({ connectRuntime } = await import("./dist/rkat-web-worker.js"));
} catch (error) {
  view.setStatus("error", `the site could not start: ${error.message}. Are all of its files served (see README.md)?`);
  throw error;
}
view.showPack({ ...site, policy: site.trust.policy }, false);
view.setStatus("idle", "set the provider base URLs and start the mob");
view.settings(defaultUrls(), (urls) =>
  start(urls).catch((error) => {
    view.setStatus("error", `${error.code ?? "ERROR"}: ${error.message}`);
    view.allowStart(false);
    console.error(error);
  }),
);
view.onSend((to, text) => void chat(to, text));
// A link can pre-fill the base URLs: the messages would go there, so say which ones came from the address.
const fromAddress = PROVIDERS.filter((p) => new URLSearchParams(location.search).has(p));
if (fromAddress.length > 0) view.noteUrlsFromAddress(fromAddress);

/** `?anthropic=<url>` (etc.), else the pack's config/defaults.toml, else the local rkat-web-proxy. */
function defaultUrls() {
  const query = new URLSearchParams(location.search);
  return Object.fromEntries(PROVIDERS.map((p) => [p, query.get(p) ?? site.baseUrls?.[p] ?? `${PROXY}/${p}`]));
}

/** A config with a placeholder key per provider: the proxy at each base URL holds the real one. */
function runtimeConfig(urls) {
  const config = { mobpackTrust: site.trust };
  for (const p of PROVIDERS) Object.assign(config, { [`${p}ApiKey`]: "proxy", [`${p}BaseUrl`]: urls[p] });
  return config;
}

/** The running mob: its Worker, runtime and mob, and how to stop its polling. */
let session = null;

/** Start the mob with `urls`; with a mob already running, stop it first (new base URLs: a fresh runtime). */
async function start(urls) {
  if (session !== null) {
    const old = session;
    session = null;
    old.stop();
    await old.runtime.destroy().catch(() => {});
    old.worker.terminate();
    view.reset("restarted with the new base URLs: a new mob");
  }
  view.setStatus("connecting", "loading the pack and starting the runtime worker…");
  let worker;
  let runtime;
  try {
    const response = await fetch(site.packUrl);
    if (!response.ok) throw new Error(`could not load ${site.pack}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    runtime = await connectRuntime(worker, runtimeConfig(urls), { mobpack: bytes });
    const pack = runtime.mobpack; // as the runtime read and trusted it
    view.showPack({ ...site, ...pack.manifest, digest: pack.digest, signerId: pack.signerId, policy: site.trust.policy }, true);
    session = await runMob(runtime, pack.definition);
    Object.assign(session, { worker, runtime });
    view.allowStart(true);
  } catch (error) {
    // Start afresh on the next try: a new Worker and runtime.
    await runtime?.destroy().catch(() => {});
    worker?.terminate();
    throw error;
  }
}

/** The pack's members: one per profile, identity = profile name, the orchestrator first. */
function memberSpecs(definition) {
  const first = definition.orchestrator?.profile;
  const profiles = Object.keys(definition.profiles);
  const ordered = first === undefined ? profiles : [first, ...profiles.filter((p) => p !== first)];
  return ordered.map((profile) => ({ profile, agent_identity: profile }));
}

async function runMob(runtime, definition) {
  view.setStatus("connecting", `creating mob ${definition.id}…`);
  const mob = await runtime.createMob(definition);
  const mobEvents = await mob.subscribeEvents();
  const logs = new Map();
  const specs = memberSpecs(definition);
  for (const result of await mob.spawn(specs)) {
    if (result.status === "failed") throw Object.assign(new Error(`spawn ${result.agentIdentity}: ${result.message}`), { code: result.code });
    logs.set(result.agentIdentity, await mob.subscribeMemberEvents(result.agentIdentity));
  }
  // A definition without wiring rules: the orchestrator can reach every member.
  const [lead, ...others] = specs.map((s) => s.agent_identity);
  if (definition.wiring === undefined && definition.orchestrator !== undefined) for (const id of others) await mob.wire(lead, id);
  const refresh = coalesced(() => mob.listMembers().then((members) => view.renderMembers(members), (e) => console.warn("list members", e)));
  await refresh();
  view.chat([lead, ...others]);
  view.setStatus("ready", `ready · ${specs.length} member(s) · talk to ${lead}`);
  let frame;
  const tick = () => {
    try {
      const changes = mobEvents.poll();
      if (changes.some(({ event, member }) => member === null ? MEMBER_CHANGES.has(event.type) : /^run_/.test(event.type))) refresh();
      for (const [id, sub] of logs) {
        const events = sub.poll();
        if (events.length > 0) view.appendEvents(id, events);
      }
    } catch (error) {
      // The Worker died (an uncaught error, a crash): poll() throws RUNTIME_TRAPPED. Say so once, and offer the restart.
      view.setStatus("error", `${error.code ?? "ERROR"}: ${error.message} (restart the mob to go on)`);
      console.error(error);
      return;
    }
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return { mob, stop: () => cancelAnimationFrame(frame) };
}

async function chat(to, text) {
  const member = session.mob.member(to);
  // Stop: the member's turn in flight ends (a hung provider, a reply not wanted); the run keeps what it had.
  let stopped = false;
  const line = view.addExchange(to, text, () => {
    stopped = true;
    member.interrupt().catch((error) => console.warn("interrupt", error));
  });
  try {
    const { runId } = await member.send(text);
    const { text: reply } = await member.waitForRun(runId);
    line.done(stopped ? `${reply} (stopped)` : reply);
  } catch (error) {
    // The provider could not be reached at all: most often the base URL, or a proxy not running or refusing this origin.
    const hint = error.code === "NETWORK_ERROR"
      ? ` (is the proxy at the base URL running, and does it allow ${location.origin}? Change the base URLs above and restart.)`
      : "";
    line.fail(`${error.code ?? "ERROR"}: ${error.message}${hint}`);
  }
}

/** `fn` run at most once at a time; a call while it runs runs it once more after. */
function coalesced(fn) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = fn().finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      }
    });
    return running;
  };
  return run;
}
