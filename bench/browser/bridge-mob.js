// Mob events over the Worker bridge: a mob of `members` members, every
// member streaming an answer of `deltas` text deltas from the scripted model
// (the bridge worker's in-memory fetch) at the same time, read on the page
// through the whole mob's `subscribeEvents()`; against one session
// streaming members × deltas text deltas, read through its own
// `subscribeEvents()`. Each in a Worker of its own, interleaved rounds.
// Timed: the sends (or the turn) to the last `run_completed` on the page.
import { connectRuntime } from "@rkat/web/worker";
import { BENCH_CONFIG, PROMPT } from "../contestants.mjs";
import { makeBody } from "../sse-body.mjs";
import { probedWorker, toProbe } from "./bridge.js";

/** The Worker's messages as a counter, so the page waits for news instead of spinning. */
function messageCounter(worker) {
  let count = 0;
  let waiters = [];
  worker.addEventListener("message", () => {
    count++;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  });
  return {
    get count() {
      return count;
    },
    /** Resolves once a message beyond the `seen`-th has arrived. */
    after(seen) {
      return count > seen ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** Poll `sub` whenever the Worker has posted something, until `needed` items that are `last`. */
async function readUntil(sub, messages, last, needed) {
  const items = [];
  let found = 0;
  for (;;) {
    const seen = messages.count;
    for (const item of sub.poll()) {
      items.push(item);
      if (last(item)) found++;
    }
    if (found === needed) return items;
    await messages.after(seen);
  }
}

async function runtimeIn(spawn, connect, size, deltas) {
  const { worker, probe } = probedWorker(spawn);
  const runtime = await connect(worker, {
    ...BENCH_CONFIG,
    anthropicBaseUrl: `http://127.0.0.1:9/bench-chunk-${size}-deltas-${deltas}/anthropic`,
  });
  return { worker, probe, runtime, messages: messageCounter(worker) };
}

/** Throw unless every member's deltas (or the session's) are the expected text. */
function check(name, deltasByWho, body, expectedCount) {
  for (const [who, list] of deltasByWho) {
    const text = list.join("");
    if (list.length !== expectedCount || text !== body.expectedText) {
      throw new Error(`${name}: ${who} got ${list.length} deltas (expected ${expectedCount}), text ${text.length} chars (expected ${body.expectedText.length})`);
    }
  }
}

function byMember(items) {
  const out = new Map();
  for (const { member, event } of items) {
    if (event.type !== "text_delta") continue;
    if (!out.has(member)) out.set(member, []);
    out.get(member).push(event.delta);
  }
  return out;
}

/** `connect`: the `connectRuntime` to use (another build's, to compare two in one run). */
export async function mobBridge(spawn, { runs, warmup, size, members, deltas, probe: probeOn = false, connect = connectRuntime }) {
  const memberBody = makeBody(deltas);
  const sessionBody = makeBody(members * deltas);
  const mobSide = await runtimeIn(spawn, connect, size, deltas);
  const sessionSide = await runtimeIn(spawn, connect, size, members * deltas);
  const ids = Array.from({ length: members }, (_, i) => `member-${String(i + 1).padStart(2, "0")}`);
  const ms = { session: [], mob: [] };
  const probes = { session: [], mob: [] };
  const events = { session: 0, mob: 0 };

  const mobRound = async (round) => {
    const mob = await mobSide.runtime.createMob({ id: `bench-mob-${round}`, profiles: { member: { model: BENCH_CONFIG.model } } });
    await mob.spawn(ids.map((id) => ({ profile: "member", agent_identity: id })));
    const sub = await mob.subscribeEvents();
    const startedAt = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    const sent = Promise.all(ids.map((id) => mob.member(id).send(PROMPT)));
    const items = await readUntil(sub, mobSide.messages, (i) => i.event.type === "run_completed", members);
    await sent;
    const elapsed = performance.now() - t0;
    const endedAt = performance.timeOrigin + performance.now();
    const perMember = byMember(items);
    if (perMember.size !== members) throw new Error(`mob: deltas from ${perMember.size} members, expected ${members}`);
    check("mob", perMember, memberBody, deltas);
    sub.close();
    await mob.destroy();
    return { elapsed, count: items.length, startedAt, endedAt };
  };

  const sessionRound = async () => {
    const session = await sessionSide.runtime.createSession();
    const sub = await session.subscribeEvents();
    const startedAt = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    const turn = session.turn(PROMPT);
    const items = await readUntil(sub, sessionSide.messages, (e) => e.type === "run_completed", 1);
    await turn;
    const elapsed = performance.now() - t0;
    const endedAt = performance.timeOrigin + performance.now();
    check("session", [["session", items.filter((e) => e.type === "text_delta").map((e) => e.delta)]], sessionBody, members * deltas);
    sub.close();
    await session.destroy();
    return { elapsed, count: items.length, startedAt, endedAt };
  };

  const sides = { mob: mobSide, session: sessionSide };
  for (let round = 0; round < warmup + runs; round++) {
    for (const [name, run] of round % 2 ? [["mob", mobRound], ["session", sessionRound]] : [["session", sessionRound], ["mob", mobRound]]) {
      const { worker, probe } = sides[name];
      const page = { messages: 0, messageData: 0, listener: 0, arrivals: [], log: [] };
      if (probeOn) {
        probe.acc = page;
        probe.on = true;
        await toProbe(worker, "start");
      }
      const { elapsed, count, startedAt, endedAt } = await run(round);
      if (probeOn) {
        probe.on = false;
        probes[name].push({ page, startedAt, endedAt, worker: await toProbe(worker, "take") });
      }
      if (round < warmup) continue;
      ms[name].push(elapsed);
      events[name] = count;
    }
  }
  for (const side of [mobSide, sessionSide]) {
    await side.runtime.destroy();
    side.worker.terminate();
  }
  return { members, deltas, size, events, ms, probes };
}
