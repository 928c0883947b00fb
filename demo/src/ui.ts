/** The page's DOM: status line, chat, counters, settings, agent-loop controls and event log. */
import type { AgentEvent } from "@rkat/web";
import { DEFAULT_SETTINGS, PROVIDERS, providerDefaults, type AgentSettings, type ProviderId, type SkillChoice } from "./agent.js";
import { errorDetail, quote, summarize } from "./format.js";
import type { HookVerdict, TurnChoices } from "./loop.js";
import { byId, el, follow, sendWhenWritten } from "./dom.js";

export type StatusKind = "connecting" | "ready" | "streaming" | "error";

export interface Counters {
  runs: number;
  turns: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  sessionId: string;
}

/** Oldest log lines are dropped past this many. */
const LOG_LIMIT = 600;

/** Log lines whose summary matters in full: they wrap instead of being cut. */
const WRAPPED_TYPES = new Set([
  "run_failed",
  "hook_denied",
  "hook_failed",
  "budget_warning",
  "skills_resolved",
  "skill_resolution_failed",
  "compaction_completed",
  "compaction_failed",
]);

/** An error's code and message (and a line about its details), whatever was thrown. */
export function describeError(error: unknown): { code: string; message: string; detail?: string } {
  if (error && typeof error === "object") {
    const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
    const described = {
      code: typeof code === "string" ? code : "ERROR",
      message: typeof message === "string" ? message : String(error),
    };
    const detail = errorDetail(described.code, details);
    return detail === undefined ? described : { ...described, detail };
  }
  return { code: "ERROR", message: String(error) };
}

/** The assistant's message for one run: text segments (one per LLM turn) and tool chips. */
export class ReplyView {
  private segment: HTMLElement | undefined;
  private readonly tools = new Map<string, HTMLElement>();

  constructor(
    readonly root: HTMLElement,
    private readonly body: HTMLElement,
    /** Makes a change to the message, keeping the chat at its end if it was there (`follow`). */
    private readonly grow: (change: () => void) => void,
  ) {}

  /** A new LLM turn starts: its text goes in a new paragraph. */
  newTurn(): void {
    this.segment = undefined;
  }

  appendText(delta: string): void {
    this.grow(() => {
      if (!this.segment) {
        this.segment = el("p", "segment");
        this.body.append(this.segment);
      }
      this.segment.textContent += delta;
    });
  }

  toolRequested(id: string, name: string, args: unknown): void {
    this.segment = undefined;
    const chip = el("div", "tool");
    chip.dataset.state = "running";
    chip.dataset.tool = name;
    chip.append(el("span", "tool-badge", "tool"), el("span", "tool-name", name), el("code", "tool-args", JSON.stringify(args)));
    chip.append(el("span", "tool-result", "running…"));
    this.tools.set(id, chip);
    this.grow(() => this.body.append(chip));
  }

  /** `where`: "main thread" when the page's handler ran, else why it did not (a hook, the budget). */
  toolCompleted(id: string, result: string, isError: boolean, durationMs: number, where: string): void {
    const chip = this.tools.get(id);
    if (!chip) return;
    chip.dataset.state = isError ? "error" : "done";
    const out = chip.querySelector(".tool-result");
    if (out) out.textContent = `${isError ? "✗" : "→"} ${result} · ${durationMs} ms · ${where}`;
  }

  /** `interrupted`: Stop ended the run; what streamed so far stays, marked as cut short. */
  finish(finalText: string, interrupted = false): void {
    this.root.dataset.state = interrupted ? "interrupted" : "done";
    this.root.dataset.final = finalText;
    if (this.body.childElementCount === 0 && !interrupted) this.body.append(el("p", "segment muted", "(no text)"));
    if (interrupted) this.body.append(el("p", "segment muted stopped", "(stopped)"));
    this.root.querySelector(".typing")?.remove();
  }

  fail(code: string, message: string, detail?: string): void {
    this.root.dataset.state = "error";
    this.root.querySelector(".typing")?.remove();
    const box = el("div", "error-box");
    box.append(el("strong", "error-code", code), document.createTextNode(` ${message}`));
    if (detail !== undefined) box.append(el("div", "error-detail", detail));
    this.grow(() => this.body.append(box));
  }
}

export class DemoUI {
  readonly form = byId<HTMLFormElement>("composer");
  readonly prompt = byId<HTMLTextAreaElement>("prompt");
  readonly send = byId<HTMLButtonElement>("send");
  readonly stop = byId<HTMLButtonElement>("stop");
  readonly settingsForm = byId<HTMLFormElement>("settings");
  private readonly applySettings = byId<HTMLButtonElement>("apply-settings");
  readonly provider = byId<HTMLSelectElement>("provider");
  readonly baseUrl = byId<HTMLInputElement>("base-url");
  readonly model = byId<HTMLInputElement>("model");
  readonly newSession = byId<HTMLButtonElement>("new-session");
  readonly clearLog = byId<HTMLButtonElement>("clear-log");
  readonly skill = byId<HTMLSelectElement>("skill");
  readonly toolBudget = byId<HTMLInputElement>("tool-budget");
  readonly denyCalculator = byId<HTMLInputElement>("deny-calculator");
  private readonly hookId = byId<HTMLElement>("hook-id");
  private readonly status = byId<HTMLElement>("status");
  private readonly statusText = byId<HTMLElement>("status-text");
  private readonly messages = byId<HTMLElement>("messages");
  private readonly log = byId<HTMLOListElement>("event-log");
  private readonly empty = byId<HTMLElement>("empty");
  private runStartedAt = performance.now();
  /** The button that had the focus when `setBusy(true)` disabled it. */
  private focusedWhileBusy: HTMLButtonElement | undefined;
  private busy = false;
  /** Send is disabled while the prompt is blank or a run (or connection) is in progress. */
  readonly promptChanged = sendWhenWritten(this.prompt, this.send, () => this.busy);

  constructor() {
    for (const [id, p] of Object.entries(PROVIDERS)) {
      this.provider.append(new Option(p.label, id));
    }
    // Picking a provider fills in its proxy URL and a model it serves.
    this.provider.addEventListener("change", () => {
      const origin = new URL(this.baseUrl.value || DEFAULT_SETTINGS.baseUrl).origin;
      this.showSettings(providerDefaults(this.provider.value as ProviderId, origin));
    });
    this.clearLog.addEventListener("click", () => this.log.replaceChildren());
    // Enter sends (when Send can be pressed), Shift+Enter adds a line.
    this.prompt.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!this.send.disabled) this.form.requestSubmit();
      }
    });
    for (const chip of document.querySelectorAll<HTMLButtonElement>("[data-example]")) {
      chip.addEventListener("click", () => {
        this.prompt.value = chip.dataset.example ?? "";
        this.promptChanged();
        this.prompt.focus();
      });
    }
  }

  setStatus(kind: StatusKind, text: string): void {
    this.status.dataset.state = kind;
    this.statusText.textContent = text;
    this.status.title = text;
  }

  /** Disable sending (and reconnecting, which waits for no run) while a run or a (re)connection is in progress. */
  setBusy(busy: boolean): void {
    // A disabled button drops the keyboard focus to the page's body: it gets it back when enabled again
    // (Send hands it to the prompt at once: `sendWhenWritten`).
    const buttons = [this.newSession, this.applySettings];
    if (busy) this.focusedWhileBusy = buttons.find((button) => button === document.activeElement);
    for (const button of buttons) button.disabled = busy;
    this.busy = busy;
    this.promptChanged();
    // Send keeps its name ("…" in its place was read out as Send's name): the
    // messages say they are being updated, and a reply is read once it is whole.
    this.messages.setAttribute("aria-busy", String(busy));
    if (!busy && this.focusedWhileBusy && document.activeElement === document.body) this.focusedWhileBusy.focus();
    if (!busy) this.focusedWhileBusy = undefined;
  }

  /** Offer Stop while a run streams (a stalled provider would otherwise hold the chat for good). */
  setStoppable(stoppable: boolean): void {
    this.stop.hidden = !stoppable;
    this.stop.disabled = false;
  }

  showSettings(settings: AgentSettings): void {
    this.provider.value = settings.provider;
    this.baseUrl.value = settings.baseUrl;
    this.model.value = settings.model;
  }

  readSettings(): AgentSettings {
    return {
      provider: this.provider.value as ProviderId,
      baseUrl: this.baseUrl.value.trim(),
      model: this.model.value.trim(),
    };
  }

  /** Offer the runtime's skills (keeping the choice if it is still there). */
  showSkills(skills: readonly SkillChoice[]): void {
    const chosen = this.skill.value;
    this.skill.replaceChildren(new Option("none", ""));
    for (const { name, description } of skills) this.skill.append(new Option(`${name} · ${description}`, name));
    this.skill.value = skills.some((s) => s.name === chosen) ? chosen : "";
    this.skill.disabled = skills.length === 0;
  }

  readChoices(): TurnChoices {
    return { skill: this.skill.value, toolCallBudget: this.toolBudget.value };
  }

  /** The hook's id beside its checkbox while it is registered. */
  showHook(hookId: string | undefined): void {
    this.hookId.textContent = hookId ?? "";
    this.hookId.hidden = hookId === undefined;
  }

  setCounters(c: Counters): void {
    const set = (id: string, value: string | number) => {
      byId(id).textContent = String(value);
    };
    set("count-runs", c.runs);
    set("count-turns", c.turns);
    set("count-tools", c.toolCalls);
    set("count-in", c.inputTokens);
    set("count-out", c.outputTokens);
    set("session-id", c.sessionId || "—");
    byId("session-id").title = c.sessionId;
  }

  clearChat(): void {
    this.messages.replaceChildren(this.empty);
    this.empty.hidden = false;
  }

  /** `tags`: what the turn was sent with (skill, budget, hook), shown under the bubble. */
  addUserMessage(text: string, tags: readonly string[] = []): void {
    this.empty.hidden = true;
    const msg = el("div", "msg user");
    msg.append(el("div", "who", "You"));
    const bubble = el("div", "bubble");
    bubble.append(el("p", "segment", text));
    msg.append(bubble);
    if (tags.length > 0) {
      const line = el("div", "tags");
      for (const tag of tags) line.append(el("span", "tag", tag));
      msg.append(line);
    }
    follow(this.messages, () => this.messages.append(msg), true);
  }

  startReply(): ReplyView {
    this.empty.hidden = true;
    const msg = el("div", "msg assistant");
    msg.dataset.state = "streaming";
    msg.append(el("div", "who", "Agent"));
    const bubble = el("div", "bubble");
    const body = el("div", "body");
    const typing = el("span", "typing");
    typing.append(el("i"), el("i"), el("i"));
    bubble.append(body, typing);
    msg.append(bubble);
    follow(this.messages, () => this.messages.append(msg));
    return new ReplyView(msg, body, (change) => follow(this.messages, change));
  }

  /** A system notice in the chat (new session, connection errors). */
  notice(text: string, kind: "info" | "error" = "info"): void {
    const line = el("div", `notice ${kind}`, text);
    follow(this.messages, () => this.messages.append(line), true);
  }

  markRunStart(runNumber: number): void {
    this.runStartedAt = performance.now();
    this.note(`run ${runNumber}`);
  }

  logEvent(event: AgentEvent): void {
    const item = el("li", WRAPPED_TYPES.has(event.type) ? "ev wrap" : "ev");
    item.dataset.type = event.type;
    item.dataset.seq = String(event.seq);
    const ms = Math.round(performance.now() - this.runStartedAt);
    const summary = summarize(event);
    // The full line on hover: most lines are cut to the panel's width.
    item.title = `#${event.seq} ${event.type} ${summary}`;
    item.append(el("span", "t", `+${ms}`), el("span", "type", event.type), el("span", "sum", summary));
    this.appendLog(item);
  }

  /** A log line that is not an agent event (tool handler runs, run separators). */
  note(text: string, kind = "note"): void {
    const item = el("li", kind);
    item.textContent = text;
    this.appendLog(item);
  }

  /** A tool handler ran (here, on the page): logged when it returns. */
  toolNote(name: string, args: unknown, result: string, isError: boolean, thread: string): void {
    const item = el("li", "tool-run");
    const ms = Math.round(performance.now() - this.runStartedAt);
    const text = `${thread} thread ran ${name}(${JSON.stringify(args)}) ${isError ? "✗" : "→"} ${quote(result, 40)}`;
    item.append(el("span", "t", `+${ms}`), el("span", "sum", text));
    this.appendLog(item);
  }

  /** The demo's hook decided (here, on the page), before the runtime reports it. */
  hookNote(verdict: HookVerdict): void {
    const item = el("li", `hook-run ${verdict.decision}`);
    const ms = Math.round(performance.now() - this.runStartedAt);
    const text = `main thread hook ${verdict.decision === "deny" ? "denied" : "allowed"} ${verdict.tool}(${JSON.stringify(verdict.args)})`;
    item.append(el("span", "t", `+${ms}`), el("span", "sum", text));
    this.appendLog(item);
  }

  private appendLog(item: HTMLElement): void {
    follow(this.log, () => {
      this.log.append(item);
      while (this.log.childElementCount > LOG_LIMIT) this.log.firstElementChild?.remove();
    });
  }

}
