// The scripted model and host of the mob benchmarks (mob-node.mjs): canned
// Anthropic SSE bodies that call the comms tools, a driver that answers
// every effect of every member at once, and the two scenarios (a
// broadcast, a request chain), each split into an untimed setup, a timed
// run and an untimed teardown. Everything goes through the wasm `Core`
// directly (core-node.mjs's ScriptedHost): no network, no TS driver.

const enc = new TextEncoder();

/** An Anthropic streamed answer: `text`, then tool calls `[id, name, args]` (as the Rust tests' `anthropic()`). */
export function sseBody(text, calls = []) {
  const event = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let out = event("message_start", { type: "message_start", message: { usage: { input_tokens: 100, output_tokens: 1 } } });
  let index = 0;
  if (text) {
    out += event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    out += event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
    index = 1;
  }
  for (const [id, name, args] of calls) {
    out += event("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } });
    out += event("content_block_delta", {
      type: "content_block_delta",
      index,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(args) },
    });
    index++;
  }
  out += event("message_delta", {
    type: "message_delta",
    delta: { stop_reason: calls.length ? "tool_use" : "end_turn" },
    usage: { output_tokens: 20 },
  });
  out += event("message_stop", { type: "message_stop" });
  return enc.encode(out);
}

/** A text answer (one text delta, five events like a one-call answer) of exactly `bytes` bytes. */
export function textBodyOfSize(bytes) {
  const base = sseBody("x").length - 1;
  if (bytes <= base) return sseBody("x");
  return sseBody("x".repeat(bytes - base));
}

/** Tool-call ids of one length, unique within a run. */
const callId = (n) => `toolu_bench${String(n).padStart(6, "0")}`;
const pad = (n) => String(n).padStart(4, "0");

export const MOB_ID = "bench-mob";

// ------------------------------------------------------------------ driver

/**
 * Carry out `effects` and all that follows until nothing is left: every
 * `http` effect answered at once with `answer(effect)` (one read), timers
 * never fired (nothing waits for them), any run failure thrown. Returns
 * { requests, requestBytes, responseBytes, finished } of this drive
 * (request bodies in UTF-16 code units, responses in bytes).
 */
export function driveAll(host, effects, answer) {
  const pending = [...effects];
  const out = { requests: 0, requestBytes: 0, responseBytes: 0, finished: 0 };
  for (let i = 0; i < pending.length; i++) {
    const e = pending[i];
    switch (e.kind) {
      case "http": {
        const body = answer(e);
        out.requests++;
        out.requestBytes += e.body.length;
        out.responseBytes += body.length;
        pending.push(...host.command("http_head", `{"op":"http_head","id":${e.id},"status":200,"headers":[]}`).effects);
        pending.push(...host.push(e.id, body));
        pending.push(...host.command("http_end", `{"op":"http_end","id":${e.id}}`).effects);
        break;
      }
      case "run_finished":
        if (e.error) throw new Error(`mob-node: a run of ${e.sessionId} failed: ${e.error.code}: ${e.error.message}`);
        out.finished++;
        break;
      case "timer":
      case "timer_cancel":
        break;
      default:
        throw new Error(`mob-node: unexpected effect ${e.kind}`);
    }
    if (i > 100_000) throw new Error("mob-node: the mob never settled");
  }
  return out;
}

/** Create the mob and spawn `rows` ([profile, identity]); identity by session id. */
function createMob(host, definition, rows) {
  host.command("create_mob", JSON.stringify({ op: "create_mob", definition }));
  const specs = rows.map(([profile, agentIdentity]) => ({ profile, agentIdentity }));
  const spawned = host.command("mob_spawn", JSON.stringify({ op: "mob_spawn", mob: MOB_ID, specs })).ok;
  const bySession = new Map();
  for (const r of spawned) {
    if (r.status !== "spawned") throw new Error(`mob-node: spawn of ${r.agentIdentity} failed: ${r.code}: ${r.message}`);
    bySession.set(r.sessionId, r.agentIdentity);
  }
  return bySession;
}

/** A mob subscription (what `mob.subscribeEvents()` opens), read to the end once; its runs made items as `mobItemsReader` does. */
function subscribe(host) {
  const { subscription } = host.command("mob_subscribe", `{"op":"mob_subscribe","mob":"${MOB_ID}"}`).ok;
  const poll = () =>
    host
      .command("mob_poll", `{"op":"mob_poll","mob":"${MOB_ID}","subscription":${subscription}}`)
      .ok.flatMap(({ events, ...run }) => events.map((event, i) => ({ ...run, seq: run.seq + i, event })));
  poll();
  return poll;
}

function destroyMob(host) {
  host.command("mob_lifecycle", `{"op":"mob_lifecycle","mob":"${MOB_ID}","action":"destroy"}`);
}

const PROFILE = { model: "claude-sonnet-4-6", systemPrompt: "You are a concise assistant." };

// --------------------------------------------------------------- broadcast

/**
 * An orchestrator `lead` auto-wired to `workers` workers. The run: the host
 * sends the lead one message; the lead's first answer calls send_message
 * once per worker (parallel tool calls in one answer), its next one closes
 * the turn. Each worker wakes with its message and answers the lead with
 * send_message, then closes its turn; the lead wakes with the answers
 * (as many times as they find it idle) and closes each wake with text.
 * The host reads the mob's subscription once at the end.
 */
export function broadcastScenario(host, workers) {
  const definition = {
    id: MOB_ID,
    orchestrator: { profile: "lead" },
    profiles: {
      lead: { ...PROFILE, peerDescription: "Hands out the work" },
      worker: { ...PROFILE, peerDescription: "Looks things up" },
    },
    wiring: { autoWireOrchestrator: true },
    limits: { maxInboxDepth: workers + 10, maxTurnsPerMemberPerMinute: 100_000 },
  };
  const rows = [["lead", "lead"], ...Array.from({ length: workers }, (_, i) => ["worker", `worker-${pad(i + 1)}`])];
  const fanOut = sseBody(
    "Asking every worker.",
    rows.slice(1).map(([, to], i) => [callId(i), "send_message", { to, body: `Find three sources on topic ${pad(i + 1)} and report back.` }]),
  );
  const answers = new Map(
    rows.slice(1).map(([, id], i) => [id, sseBody("", [[callId(i), "send_message", { to: "lead", body: `Three sources on topic ${pad(i + 1)}: A, B and C.` }]])]),
  );
  const closing = sseBody("Done.");
  let bySession;
  let poll;
  let count;
  return {
    messages: 2 * workers,
    setup() {
      bySession = createMob(host, definition, rows);
      poll = subscribe(host);
      count = new Map();
    },
    run() {
      const reply = host.command("mob_send", `{"op":"mob_send","mob":"${MOB_ID}","member":"lead","content":"Ask every worker for three sources on their topic."}`);
      const drove = driveAll(host, reply.effects, (e) => {
        const who = bySession.get(e.sessionId);
        const k = (count.get(who) ?? 0) + 1;
        count.set(who, k);
        if (who === "lead") return k === 1 ? fanOut : closing;
        return k === 1 ? answers.get(who) : closing;
      });
      const events = poll();
      return { ...drove, delivered: events.filter((x) => x.event.type === "message_delivered").length, events: events.length };
    },
    teardown() {
      destroyMob(host);
    },
  };
}

// ------------------------------------------------------------------- chain

/**
 * Members link-01 … link-N wired in a line (link-i to link-i+1 only). The
 * run: the host sends link-01 one message; each link's first answer calls
 * send_request to the next (the last one answers the request at once with
 * send_response), its next one closes the turn. Each link woken by the
 * response to its request answers its own requester with send_response and
 * closes; link-01, woken by the last response, answers with text. 2(N−1)
 * hops: maxHops is raised to cover them. The host reads the mob's
 * subscription once at the end.
 */
export function chainScenario(host, length) {
  const ids = Array.from({ length }, (_, i) => `link-${String(i + 1).padStart(2, "0")}`);
  const definition = {
    id: MOB_ID,
    profiles: { link: { ...PROFILE, peerDescription: "One link of a chain" } },
    wiring: { autoWireOrchestrator: false },
    limits: { maxHops: 2 * length, maxTurnsPerMemberPerMinute: 100_000 },
  };
  const closing = sseBody("Done.");
  let bySession;
  let poll;
  let state;
  const requestIdIn = (e) => /\[request (req-\d+) from /.exec(e.body)?.[1];
  return {
    messages: 2 * (length - 1),
    setup() {
      bySession = createMob(host, definition, ids.map((id) => ["link", id]));
      for (let i = 0; i + 1 < length; i++) host.command("mob_wire", JSON.stringify({ op: "mob_wire", mob: MOB_ID, a: ids[i], b: ids[i + 1] }));
      poll = subscribe(host);
      state = new Map(ids.map((id) => [id, { k: 0, asked: undefined }]));
    },
    run() {
      const reply = host.command("mob_send", `{"op":"mob_send","mob":"${MOB_ID}","member":"${ids[0]}","content":"Pass the question down the chain."}`);
      const drove = driveAll(host, reply.effects, (e) => {
        const who = bySession.get(e.sessionId);
        const at = ids.indexOf(who);
        const s = state.get(who);
        s.k++;
        if (s.k === 1) {
          s.asked = requestIdIn(e);
          if (at > 0 && !s.asked) throw new Error(`mob-node chain: ${who} woke without a request`);
          if (at + 1 < length) return sseBody("", [[callId(at), "send_request", { to: ids[at + 1], body: `Question from ${who}: what is the answer?`, intent: "answer" }]]);
          return sseBody("", [[callId(at), "send_response", { to: ids[at - 1], requestId: s.asked, body: "The answer is 42." }]]);
        }
        if (s.k === 3 && at > 0) return sseBody("", [[callId(at), "send_response", { to: ids[at - 1], requestId: s.asked, body: "The answer is 42." }]]);
        return closing;
      });
      const events = poll();
      return { ...drove, delivered: events.filter((x) => x.event.type === "message_delivered").length, events: events.length };
    },
    teardown() {
      destroyMob(host);
    },
  };
}

// ------------------------------------------------------------------- floor

/**
 * The plain turns floor: one text turn on a fresh plain session (same
 * model, same system prompt as the members' profiles, no tools), answered
 * with `body`; the session's events drained once (as `pollEvents`).
 * Session created and destroyed untimed.
 */
export function plainTurnScenario(host, body) {
  let session;
  return {
    setup() {
      session = host.createSession({ systemPrompt: PROFILE.systemPrompt });
    },
    run() {
      const reply = host.command("turn", `{"op":"turn","session":"${session}","prompt":"Find three sources on topic 0001 and report back."}`);
      const drove = driveAll(host, reply.effects, () => body);
      host.drain(session);
      return drove;
    },
    teardown() {
      host.destroySession(session);
    },
  };
}
