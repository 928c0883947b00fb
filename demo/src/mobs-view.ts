/** The Mobs page's DOM: status, buttons, members, messages, composer, flow and member log. */
import type { AgentEvent, MobFlowStatus, MobpackInfo } from "@rkat/web";
import { quote, summarize } from "./format.js";
import { renderGraph } from "./mobs-graph.js";
import { MOB_EXAMPLES, type MemberKey } from "./mobs-setup.js";
import { displayName, type Delivery, type Edge, type MemberRow } from "./mobs-state.js";
import { byId, el, follow, handFocus, sendWhenWritten } from "./dom.js";

export type MobsStatus = "idle" | "connecting" | "ready" | "streaming" | "error";

/** Member log lines kept on screen. */
const LOG_LINES = 600;

/** A row of cells. */
function tr(cells: Array<string | HTMLElement>): HTMLTableRowElement {
  const row = el("tr");
  for (const cell of cells) {
    const td = el("td");
    td.append(cell);
    row.append(td);
  }
  return row;
}

/**
 * A table body whose rows are kept while what each was drawn from (its
 * signature) does not change: rebuilding a row at every refresh would lose
 * a click on its button or a text selection in it (and is wasted work).
 */
class KeptRows<K> {
  private readonly shown = new Map<K, { signature: string; row: HTMLTableRowElement }>();

  constructor(private readonly body: HTMLTableSectionElement) {}

  /** Show `items` in order; `draw` makes a row only for an item new or changed since the last call. */
  render<T>(
    items: readonly T[],
    key: (item: T) => K,
    signature: (item: T) => string,
    draw: (item: T) => HTMLTableRowElement,
  ): HTMLTableRowElement[] {
    const kept = new Map(this.shown);
    this.shown.clear();
    // A row redrawn with the keyboard focus in it hands the focus to the same
    // control (its `data-part`) in its new drawing, not to the page's body.
    const active = document.activeElement;
    const focusedKey = active && this.body.contains(active) ? [...kept].find(([, shown]) => shown.row.contains(active))?.[0] : undefined;
    const part = active?.closest<HTMLElement>("[data-part]")?.dataset.part;
    const rows = items.map((item) => {
      const [k, sig] = [key(item), signature(item)];
      const previous = kept.get(k);
      const row = previous?.signature === sig ? previous.row : draw(item);
      this.shown.set(k, { signature: sig, row });
      return row;
    });
    // Only changed rows are swapped: moving a kept row out and back in would
    // still lose a selection in it.
    const body = this.body;
    rows.forEach((row, i) => {
      const there = body.rows[i];
      if (there === row) return;
      if (there && !rows.includes(there)) there.replaceWith(row);
      else body.insertBefore(row, there ?? null);
    });
    while (body.rows.length > rows.length) body.rows[rows.length]?.remove();
    if (focusedKey !== undefined && part !== undefined && !active?.isConnected) {
      this.shown.get(focusedKey)?.row.querySelector<HTMLElement>(`[data-part="${part}"]`)?.focus();
    }
    return rows;
  }

  /** Draw `key`'s row afresh at the next render. */
  forget(key: K): void {
    this.shown.delete(key);
  }
}

/**
 * Fill a `<select>` with members, keeping the choice when it is still
 * offered; `preferred` wins once it is. Returns whether `preferred` was taken.
 */
function fillMembers(select: HTMLSelectElement, rows: readonly MemberRow[], preferred = ""): boolean {
  const chosen = select.value;
  const keys = rows.map((r) => r.key);
  if (keys.join("\n") !== [...select.options].map((o) => o.value).join("\n")) {
    select.replaceChildren(...rows.map((r) => new Option(`${r.agentIdentity} (${r.mobId})`, r.key)));
  }
  if (keys.includes(preferred)) {
    select.value = preferred;
    return true;
  }
  if (keys.includes(chosen)) select.value = chosen;
  return false;
}

/**
 * A member's row: its cells, and its retire or respawn button. The member's
 * name is a button that selects it (as a click on the row or its graph node
 * does): one stop per row in the Tab order, not every cell.
 */
function memberRow(r: MemberRow, actions: MemberActions, pressed: (key: MemberKey, button: HTMLButtonElement) => void): HTMLTableRowElement {
  const status = el("span", "badge", r.status);
  status.dataset.status = r.status;
  const wired = r.wiredTo.length > 0 ? r.wiredTo.join(", ") : "—";
  const retired = r.status === "retired";
  const name = el("button", "member-name", r.agentIdentity);
  name.type = "button";
  name.dataset.part = "select";
  // Two mobs may have members of the same name (lead-1): the name says which.
  name.setAttribute("aria-label", `${r.agentIdentity} (${r.mobId})`);
  const action = el("button", "link row-action", retired ? "respawn" : "retire");
  action.type = "button";
  action.dataset.part = "action";
  action.title = retired ? `mob.respawn("${r.agentIdentity}"): a new session, its wires restored` : `mob.retire("${r.agentIdentity}")`;
  action.addEventListener("click", (event) => {
    event.stopPropagation();
    pressed(r.key, action);
    action.disabled = true;
    (retired ? actions.respawn : actions.retire)(r.key);
  });
  const row = tr([name, r.mobId, r.role, r.runtimeMode, status, wired, action]);
  row.dataset.member = r.key;
  row.dataset.status = r.status;
  row.title = `${r.memberRef} · session ${r.sessionId}`;
  // The name button's click (Enter, Space) comes here too.
  row.addEventListener("click", () => actions.select(r.key));
  return row;
}

/** What a click on a member does. */
export interface MemberActions {
  select(key: MemberKey): void;
  retire(key: MemberKey): void;
  respawn(key: MemberKey): void;
}

/** One line of the composer's history: a send, then the run's answer. */
export interface ReplyLine {
  done(text: string): void;
  fail(code: string, message: string): void;
}

export class MobsView {
  readonly startResearch = byId<HTMLButtonElement>("start-research");
  readonly startAmbassadors = byId<HTMLButtonElement>("start-ambassadors");
  readonly startPack = byId<HTMLButtonElement>("start-pack");
  private readonly packLine = byId<HTMLElement>("mob-pack");
  readonly reset = byId<HTMLButtonElement>("mobs-reset");
  readonly sendForm = byId<HTMLFormElement>("mob-send");
  readonly sendTo = byId<HTMLSelectElement>("mob-send-to");
  readonly sendText = byId<HTMLTextAreaElement>("mob-send-text");
  readonly runFlow = byId<HTMLButtonElement>("mob-run-flow");
  readonly cancelFlow = byId<HTMLButtonElement>("mob-cancel-flow");
  readonly flowTopic = byId<HTMLInputElement>("mob-flow-topic");
  readonly logMember = byId<HTMLSelectElement>("mob-log-member");
  private readonly sendButton = byId<HTMLButtonElement>("mob-send-button");
  private readonly status = byId<HTMLElement>("mobs-status");
  private readonly statusText = byId<HTMLElement>("mobs-status-text");
  private readonly graph = byId<HTMLElement>("mob-graph");
  private readonly members = byId<HTMLTableElement>("mob-members");
  private readonly messages = byId<HTMLOListElement>("mob-messages");
  private readonly messageCount = byId<HTMLElement>("mob-message-count");
  private readonly replies = byId<HTMLOListElement>("mob-replies");
  private readonly flowState = byId<HTMLElement>("mob-flow-state");
  private readonly flowSteps = byId<HTMLTableElement>("mob-flow-steps");
  private readonly log = byId<HTMLOListElement>("mob-log");
  /** The members table's rows, by member, and the flow's, by step. */
  private readonly memberRows = new KeptRows<MemberKey>(this.members.tBodies[0] as HTMLTableSectionElement);
  private readonly flowRows = new KeptRows<string>(this.flowSteps.tBodies[0] as HTMLTableSectionElement);
  /**
   * Retire or respawn buttons pressed, by member: they disable themselves
   * (dropping the keyboard focus) until their row is redrawn, whose button
   * then takes the focus back (`handFocus`).
   */
  private readonly pressedActions = new Map<MemberKey, { button: HTMLButtonElement; handOver: (next: HTMLElement) => void }>();
  /** Deliveries already listed, and log events already shown (of `logShown`'s member). */
  private deliveriesShown = 0;
  private logShown: { key: MemberKey | undefined; count: number } = { key: undefined, count: 0 };
  /** Where the next example sends to, once that member exists. */
  private wantedTarget: MemberKey = MOB_EXAMPLES[0]?.to ?? "";
  /** Members that can take a message (not retired). */
  private liveMembers = 0;
  /** Send is disabled while the message is blank or there is no one to send to. */
  readonly messageChanged = sendWhenWritten(this.sendText, this.sendButton, () => this.liveMembers === 0);

  constructor() {
    const examples = byId<HTMLElement>("mob-examples");
    for (const example of MOB_EXAMPLES) {
      const chip = el("button", "example", example.label);
      chip.type = "button";
      chip.title = `To ${example.to}: ${example.text}`;
      chip.dataset.to = example.to;
      chip.addEventListener("click", () => {
        this.sendText.value = example.text;
        this.messageChanged();
        const offered = [...this.sendTo.options].some((o) => o.value === example.to);
        if (offered) this.sendTo.value = example.to;
        this.wantedTarget = offered ? "" : example.to;
        this.sendText.focus();
      });
      examples.append(chip);
    }
    // A member picked by hand is not replaced by an example's pending target.
    this.sendTo.addEventListener("change", () => (this.wantedTarget = ""));
    this.sendText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!this.sendButton.disabled) this.sendForm.requestSubmit();
      }
    });
    this.renderFlow(undefined);
  }

  setStatus(kind: MobsStatus, text: string): void {
    this.status.dataset.state = kind;
    this.statusText.textContent = text;
    this.status.title = text;
  }

  /** What the runtime's pack is: name, version, digest and who signed it. */
  showPack(pack: MobpackInfo | null): void {
    this.packLine.textContent = pack
      ? `${pack.manifest.name} ${pack.manifest.version} · signed by ${pack.signerId ?? "nobody"} · digest ${pack.digest.slice(0, 16)}…`
      : "";
    this.packLine.hidden = !pack;
  }

  /**
   * Which buttons may be pressed, from what has started. `members`: how many
   * members can take a message (not retired); `flowRunning`: the flow shown
   * has not ended (one at a time: the panel shows one run).
   */
  setControls(state: {
    connected: boolean;
    busy: boolean;
    research: boolean;
    ambassadors: boolean;
    pack: boolean;
    members: number;
    flowRunning: boolean;
  }): void {
    this.startResearch.disabled = state.busy || state.research;
    this.startAmbassadors.disabled = state.busy || state.ambassadors;
    this.startPack.disabled = state.busy || state.pack || !state.connected;
    this.reset.disabled = state.busy || !state.connected;
    this.liveMembers = state.members;
    this.messageChanged();
    this.runFlow.disabled = !state.research || state.flowRunning;
    this.cancelFlow.hidden = !state.flowRunning;
  }

  /** Draw `key`'s row afresh at the next render (its button pressed in vain). */
  redrawMember(key: MemberKey): void {
    this.memberRows.forget(key);
  }

  /** The members table, the graph and the member pickers. */
  renderMembers(
    rows: readonly MemberRow[],
    edges: readonly Edge[],
    deliveries: readonly Delivery[],
    actions: MemberActions,
  ): void {
    if (fillMembers(this.sendTo, rows.filter((r) => r.status !== "retired"), this.wantedTarget)) this.wantedTarget = "";
    fillMembers(this.logMember, rows);
    const selected = this.logMember.value || undefined;
    // A row whose member did not change is kept, not rebuilt: a click on its
    // button while another member's event re-renders the table still lands.
    const shown = this.memberRows.render(
      rows,
      (r) => r.key,
      (r) => JSON.stringify([r.status, r.wiredTo, r.role, r.runtimeMode, r.memberRef, r.sessionId]),
      (r) => memberRow(r, actions, (key, button) => this.pressedActions.set(key, { button, handOver: handFocus(button) })),
    );
    rows.forEach((r, i) => {
      shown[i]?.classList.toggle("selected", r.key === selected);
      const name = shown[i]?.querySelector('[data-part="select"]');
      if (r.key === selected) name?.setAttribute("aria-current", "true");
      else name?.removeAttribute("aria-current");
    });
    for (const [key, { button, handOver }] of this.pressedActions) {
      if (button.isConnected) continue;
      this.pressedActions.delete(key);
      const next = shown[rows.findIndex((r) => r.key === key)]?.querySelector<HTMLElement>('[data-part="action"]');
      if (next) handOver(next);
    }
    const tbody = this.members.tBodies[0] as HTMLTableSectionElement;
    if (rows.length === 0) {
      const empty = tr([el("span", "muted", "No mob started yet.")]);
      (empty.cells[0] as HTMLTableCellElement).colSpan = 7;
      tbody.append(empty);
    }
    renderGraph(this.graph, rows, edges, deliveries, selected, actions.select);
  }

  /** List the deliveries not listed yet. */
  renderMessages(deliveries: readonly Delivery[]): void {
    if (deliveries.length < this.deliveriesShown) this.clearMessages();
    for (const d of deliveries.slice(this.deliveriesShown)) {
      const item = el("li", d.cross ? "delivery cross" : "delivery");
      item.dataset.from = d.from;
      item.dataset.to = d.to;
      item.dataset.kind = d.kind;
      const route = `${displayName(d.from, d.cross)} → ${displayName(d.to, d.cross)}`;
      item.append(el("span", "route", route), el("span", `kind ${d.kind}`, d.kind), el("span", "bytes", `${d.bytes} B`));
      item.title = `${route} · ${d.kind} · ${d.bytes} bytes (the body is not in the event)`;
      this.messages.append(item);
    }
    this.deliveriesShown = deliveries.length;
    this.messageCount.textContent = String(deliveries.length);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  /** Show `key`'s events: all of them when the member changed, else only the new ones. */
  renderLog(key: MemberKey | undefined, events: readonly AgentEvent[]): void {
    if (key !== this.logShown.key || events.length < this.logShown.count) {
      this.log.replaceChildren();
      this.logShown = { key, count: 0 };
    }
    follow(this.log, () => {
      for (const event of events.slice(this.logShown.count)) {
        const item = el("li", "ev");
        item.dataset.type = event.type;
        item.dataset.seq = String(event.seq);
        const summary = summarize(event);
        item.title = `#${event.seq} ${event.type} ${summary}`;
        item.append(el("span", "t", `#${event.seq}`), el("span", "type", event.type), el("span", "sum", summary));
        this.log.append(item);
      }
      while (this.log.childElementCount > LOG_LINES) this.log.firstElementChild?.remove();
    });
    this.logShown.count = events.length;
  }

  /** The flow run's steps, or nothing before the first run. */
  renderFlow(status: MobFlowStatus | undefined): void {
    const tbody = this.flowSteps.tBodies[0] as HTMLTableSectionElement;
    this.flowState.textContent = status ? `${status.flowId} · ${status.status}` : "";
    this.flowState.dataset.status = status?.status ?? "";
    if (!status) {
      const empty = tr([el("span", "muted", "Not run yet.")]);
      (empty.cells[0] as HTMLTableCellElement).colSpan = 4;
      tbody.replaceChildren(empty);
      return;
    }
    // A step's row is redrawn when the step changed, not at every refresh of a running flow.
    const output = (step: MobFlowStatus["steps"][number]) =>
      step.output === null ? "" : typeof step.output === "string" ? step.output : JSON.stringify(step.output);
    this.flowRows.render(
      status.steps,
      (step) => step.id,
      (step) => JSON.stringify([step.member, step.status, output(step)]),
      (step) => {
        const badge = el("span", "badge", step.status);
        badge.dataset.status = step.status;
        const text = output(step);
        const out = el("span", "output", text === "" ? "—" : quote(text, 60));
        out.title = text;
        const row = tr([el("code", undefined, step.id), step.member ?? "—", badge, out]);
        row.dataset.step = step.id;
        row.dataset.status = step.status;
        return row;
      },
    );
  }

  /**
   * A line for a send; its answer fills in when the member's run ends.
   * Its Stop button (`stop`: the member's `interrupt()`) ends a stalled run.
   */
  addReply(to: MemberKey, text: string, stop: () => void): ReplyLine {
    const item = el("li", "reply");
    item.dataset.state = "pending";
    item.dataset.to = to;
    const answer = el("div", "answer muted", "…");
    const stopButton = el("button", "stop", "Stop");
    stopButton.type = "button";
    let stopped = false;
    // Stop is disabled, then removed: the keyboard focus it had goes to the composer.
    let handOver: ((next: HTMLElement) => void) | undefined;
    const refocus = () => handOver?.(this.sendText);
    stopButton.addEventListener("click", () => {
      handOver = handFocus(stopButton);
      stopped = true;
      stopButton.disabled = true;
      stop();
    });
    item.append(el("div", "asked", `→ ${to}: ${text}`), answer, stopButton);
    this.replies.append(item);
    this.replies.scrollTop = this.replies.scrollHeight;
    return {
      done: (result) => {
        stopButton.remove();
        item.dataset.state = stopped ? "interrupted" : "done";
        answer.className = "answer";
        const shown = result === "" ? "(no text)" : result;
        answer.textContent = stopped ? `${result} (stopped)`.trim() : shown;
        refocus();
      },
      fail: (code, message) => {
        stopButton.remove();
        item.dataset.state = "error";
        answer.className = "answer error";
        answer.textContent = `${code}: ${message}`;
        refocus();
      },
    };
  }

  /** Forget everything shown (a new runtime). */
  clear(): void {
    this.pressedActions.clear();
    this.clearMessages();
    this.replies.replaceChildren();
    this.log.replaceChildren();
    this.logShown = { key: undefined, count: 0 };
    this.renderFlow(undefined);
  }

  private clearMessages(): void {
    this.messages.replaceChildren();
    this.deliveriesShown = 0;
    this.messageCount.textContent = "0";
  }
}
