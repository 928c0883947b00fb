/**
 * The demo page: a chat with an agent whose runtime (wasm core + driver)
 * runs in a Web Worker, its events streamed into a log, its tools run here;
 * and, on the Mobs tab (mobs.ts), several agents talking to each other.
 */
import "./style.css";
import type { AgentEvent } from "@rkat/web";
import type { WorkerSession } from "@rkat/web/worker";
import { DemoAgent, settingsFromQuery, type AgentSettings } from "./agent.js";
import { choiceTags, turnOptions, type HookVerdict } from "./loop.js";
import { MobsPage } from "./mobs.js";
import { SignInPage } from "./signin.js";
import { setupTabs } from "./tabs.js";
import type { ToolRun } from "./tools.js";
import { DemoUI, describeError, type Counters, type ReplyView } from "./ui.js";
import { handFocus } from "./dom.js";

/** What the page exposes for people poking at it in devtools (and for the e2e tests). */
interface DemoState {
  toolRuns: ToolRun[];
  /** Decisions of the calculator-denying hook, taken on this page. */
  hookVerdicts: HookVerdict[];
  /** The hook's id while it is registered, else null. */
  hookId: string | null;
  /** Names of the skills the picker offers (from the runtime). */
  skills: string[];
  runs: number;
  busy: boolean;
}

const state: DemoState = { toolRuns: [], hookVerdicts: [], hookId: null, skills: [], runs: 0, busy: false };
(window as unknown as { rkatDemo: DemoState }).rkatDemo = state;

/**
 * Handler runs reported on this page whose `tool_execution_completed` has
 * not arrived yet, per tool. A run is reported before the result goes back
 * to the Worker, so a completion with none pending was refused by the
 * runtime (a hook, the budget) and never reached the page.
 */
const pendingRuns = new Map<string, number>();

const ui = new DemoUI();
const agent = new DemoAgent(
  (run) => {
    state.toolRuns.push(run);
    pendingRuns.set(run.name, (pendingRuns.get(run.name) ?? 0) + 1);
    ui.toolNote(run.name, run.args, run.result, run.isError, run.thread);
  },
  (verdict) => {
    state.hookVerdicts.push(verdict);
    ui.hookNote(verdict);
  },
);

/** Whether the page's handler ran for this completion (see `pendingRuns`). */
function takeRun(name: string): boolean {
  const pending = pendingRuns.get(name) ?? 0;
  if (pending === 0) return false;
  pendingRuns.set(name, pending - 1);
  return true;
}

const counters: Counters = { runs: 0, turns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, sessionId: "" };

function resetCounters(sessionId: string): void {
  Object.assign(counters, { runs: 0, turns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, sessionId });
  ui.setCounters(counters);
}

function showError(error: unknown, context: string): void {
  const { code, message } = describeError(error);
  ui.setStatus("error", `error ${code}: ${message}`);
  console.error(`[demo] ${context}:`, error);
}

function setBusy(busy: boolean): void {
  state.busy = busy;
  ui.setBusy(busy);
}

/** Show what the (re)connected runtime holds: its skills and the hook. */
function showRuntimeExtras(): void {
  ui.showSkills(agent.skills);
  state.skills = agent.skills.map((s) => s.name);
  ui.showHook(agent.hookId);
  state.hookId = agent.hookId ?? null;
}

async function connect(settings: AgentSettings): Promise<boolean> {
  setBusy(true);
  ui.setStatus("connecting", `connecting: starting the runtime worker (${settings.model} via ${settings.baseUrl})…`);
  try {
    const session = await agent.connect(settings);
    resetCounters(session.id);
    showRuntimeExtras();
    ui.note(`connected · session ${session.id}`);
    ui.setStatus("ready", `ready · ${settings.model} via ${settings.baseUrl}`);
    return true;
  } catch (error) {
    showRuntimeExtras();
    showError(error, "connect");
    ui.notice(`Could not start the runtime: ${describeError(error).code}. Check the settings and press “Apply & reconnect”.`, "error");
    return false;
  } finally {
    setBusy(false);
  }
}

/** Route one event to the reply view and the counters. */
function apply(event: AgentEvent, reply: ReplyView): void {
  ui.logEvent(event);
  switch (event.type) {
    case "turn_started":
      reply.newTurn();
      break;
    case "text_delta":
      reply.appendText(event.delta);
      break;
    case "tool_call_requested":
      reply.toolRequested(event.id, event.name, event.args);
      break;
    case "tool_execution_completed": {
      // Counted as the runtime counts them: calls a hook or the budget refused are not.
      const ran = takeRun(event.name);
      if (ran) counters.toolCalls += 1;
      ui.setCounters(counters);
      reply.toolCompleted(event.id, event.result, event.isError, event.durationMs, ran ? "main thread" : "not run");
      break;
    }
    case "turn_completed":
      counters.turns += 1;
      counters.inputTokens += event.usage.inputTokens;
      counters.outputTokens += event.usage.outputTokens;
      ui.setCounters(counters);
      break;
    case "retrying":
      ui.setStatus("streaming", `streaming · retrying (${event.attempt}/${event.maxAttempts}) after: ${event.error}`);
      break;
    default:
      break;
  }
}

async function send(prompt: string): Promise<void> {
  if (state.busy || prompt.trim() === "") return;
  if (!agent.session) {
    const ok = await connect(ui.readSettings());
    if (!ok) return;
  }
  const session = agent.session;
  if (!session) return;
  setBusy(true);
  ui.prompt.value = "";
  ui.promptChanged();
  const choices = ui.readChoices();
  const tags = choiceTags(choices);
  if (agent.hookId !== undefined) tags.push("hook: deny calculator");
  ui.addUserMessage(prompt, tags);
  const reply = ui.startReply();
  state.runs += 1;
  counters.runs += 1;
  ui.setCounters(counters);
  ui.markRunStart(state.runs);
  ui.setStatus("streaming", "streaming…");
  pendingRuns.clear();
  ui.setStoppable(true);
  try {
    const stream = session.stream(prompt, turnOptions(choices));
    // An interrupted run still resolves: its last turn says "cancelled".
    let cancelled = false;
    for await (const event of stream) {
      if (event.type === "turn_completed") cancelled = event.stopReason === "cancelled";
      apply(event, reply);
    }
    const result = stream.result;
    reply.finish(result.text, cancelled);
    syncCounters(session);
    const what = cancelled ? "stopped" : "last run";
    ui.setStatus("ready", `ready · ${what}: ${result.turns} turn(s), ${result.toolCalls} tool call(s)`);
  } catch (error) {
    // A failed run still moved the session's counters (turns, tokens, tools that ran).
    syncCounters(session);
    const { code, message, detail } = describeError(error);
    reply.fail(code, message, detail);
    showError(error, "run");
    if (code === "RUNTIME_TRAPPED" || code === "RUNTIME_DESTROYED") {
      agent.dispose();
      ui.notice("The runtime worker stopped. The next message starts a new one.", "error");
    }
  } finally {
    ui.setStoppable(false);
    setBusy(false);
    ui.prompt.focus();
  }
}

/** Stop: interrupt the run in flight (it ends with what streamed so far). */
async function stop(): Promise<void> {
  const session = agent.session;
  if (!session || !state.busy) return;
  ui.stop.disabled = true;
  ui.setStatus("streaming", "stopping…");
  try {
    await session.interrupt();
  } catch (error) {
    showError(error, "interrupt");
  }
}

/** The session's own totals are authoritative once a run is over. */
function syncCounters(session: WorkerSession): void {
  Object.assign(counters, {
    turns: session.turns,
    toolCalls: session.toolCalls,
    inputTokens: session.usage.inputTokens,
    outputTokens: session.usage.outputTokens,
  });
  ui.setCounters(counters);
}

/** The hook checkbox: register or unregister it in the runtime now. */
async function toggleHook(on: boolean): Promise<void> {
  // Disabled while the runtime answers, the checkbox drops the keyboard focus: it gets it back after.
  const handOver = handFocus(ui.denyCalculator);
  ui.denyCalculator.disabled = true;
  try {
    const id = await agent.setDenyCalculator(on);
    // Not connected yet: connect() registers it.
    if (!agent.connected) return;
    ui.note(on ? `hook ${id ?? "?"} registered: pre_tool_execution denies calculator` : "hook unregistered: calculator allowed");
  } catch (error) {
    showError(error, on ? "register hook" : "unregister hook");
  } finally {
    showRuntimeExtras();
    ui.denyCalculator.disabled = false;
    handOver(ui.denyCalculator);
  }
}

async function newSession(): Promise<void> {
  if (state.busy) return;
  setBusy(true);
  try {
    if (!agent.connected) {
      setBusy(false);
      if (await connect(ui.readSettings())) ui.clearChat();
      return;
    }
    const session = await agent.newSession();
    ui.clearChat();
    resetCounters(session.id);
    ui.note(`new session ${session.id}`);
    ui.setStatus("ready", `ready · new session`);
  } catch (error) {
    showError(error, "new session");
  } finally {
    setBusy(false);
  }
}

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  void send(ui.prompt.value);
});
ui.newSession.addEventListener("click", () => void newSession());
ui.stop.addEventListener("click", () => void stop());
ui.denyCalculator.addEventListener("change", () => void toggleHook(ui.denyCalculator.checked));
ui.settingsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (state.busy) return;
  const settings = ui.readSettings();
  signIn.dispose(); // its Worker reconnects on these settings when next used
  mobs.settingsApplied(settings); // so does the Mobs page's, if they changed
  void connect(settings).then((ok) => {
    if (ok) ui.clearChat();
  });
});

// Nothing thrown anywhere leaves a dead page: it lands in the status line.
window.addEventListener("unhandledrejection", (event) => showError(event.reason, "unhandled rejection"));
window.addEventListener("error", (event) => showError(event.error ?? event.message, "uncaught error"));

const initial = settingsFromQuery(location.search);
ui.showSettings(initial);
ui.setCounters(counters);
void connect(initial);

// The Mobs tab: its own runtime Worker, started the first time the tab is shown.
const mobs = new MobsPage(() => ui.readSettings());
// The Sign-in tab: a chat whose credential comes from a login on the page.
const signIn = new SignInPage(() => ui.readSettings());
setupTabs((tab) => {
  if (tab === "mobs") mobs.show();
  if (tab === "signin") signIn.show();
});
