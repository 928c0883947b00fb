/**
 * The Mobs page: mobs in their own runtime Worker (`connectRuntime`), on the
 * chat's provider settings. Its mob subscriptions and one subscription per
 * member are polled on every animation frame; what they yield moves the
 * members list, the wiring graph, the messages list, the member logs and
 * the flow's steps (members and flow status are asked again when an event
 * says they changed).
 */
import type { AttributedMobEvent, EventSubscription, MobpackInfo } from "@rkat/web";
import { connectRuntime, type WorkerMob, type WorkerRuntime } from "@rkat/web/worker";
import { runtimeConfig, type AgentSettings } from "./agent.js";
import { Coalesced } from "./coalesced.js";
import {
  ambassadors,
  memberKey,
  packTeam,
  researchTeam,
  RESEARCH_TEAM,
  REVIEW_FLOW,
  splitKey,
  type MemberKey,
  type TeamPlan,
} from "./mobs-setup.js";
import { MobsModel, noChanges } from "./mobs-state.js";
import { MobsView } from "./mobs-view.js";
import "./mobs.css";
import { handFocus } from "./dom.js";
import { describeError } from "./ui.js";

type Team = "research" | "ambassadors" | "pack";

const TEAM_NAMES: Record<Team, string> = { research: "research team", ambassadors: "ambassadors", pack: "example pack's mob" };

/** The example pack's bytes (built and signed by demo/pack-plugin.ts). */
async function fetchPack(): Promise<Uint8Array> {
  const response = await fetch(new URL(__DEMO_PACK__.file, location.href));
  if (!response.ok) throw new Error(`${__DEMO_PACK__.file}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export class MobsPage {
  private readonly view = new MobsView();
  private readonly startButtons: Record<Team, HTMLButtonElement> = {
    research: this.view.startResearch,
    ambassadors: this.view.startAmbassadors,
    pack: this.view.startPack,
  };
  private readonly model = new MobsModel();
  private worker: Worker | undefined;
  private runtime: (WorkerRuntime & { readonly mobpack: MobpackInfo }) | undefined;
  /** The settings the runtime was started on (its provider key and base URL come from them). */
  private runtimeSettings: AgentSettings | undefined;
  private connecting: Promise<void> | undefined;
  private readonly mobs = new Map<string, { mob: WorkerMob; events: EventSubscription<AttributedMobEvent> }>();
  private readonly memberEvents = new Map<MemberKey, EventSubscription>();
  private readonly memberRefresh = new Map<string, Coalesced>();
  private readonly started: Record<Team, boolean> = { research: false, ambassadors: false, pack: false };
  private busy = false;
  /** The flow run shown, whether it has not ended yet, and its status refresher. */
  private flowRun: string | undefined;
  private flowRunning = false;
  /** Cancel flow was pressed: hands the keyboard focus it had (if it had it) to Run flow when the flow has ended. */
  private cancelHandOver: ((next: HTMLElement) => void) | undefined;
  private readonly flowRefresh = new Coalesced(() => this.refreshFlow(), (e) => this.fail(e, "flow status"));
  /** Bumped by a reset: answers of an older runtime are dropped. */
  private generation = 0;
  private frame = 0;

  constructor(private readonly settings: () => AgentSettings) {
    const v = this.view;
    for (const [team, button] of Object.entries(this.startButtons) as Array<[Team, HTMLButtonElement]>) {
      button.addEventListener("click", () => void this.start(team));
    }
    v.reset.addEventListener("click", () => void this.reset());
    v.runFlow.addEventListener("click", () => void this.runFlow());
    v.cancelFlow.addEventListener("click", () => void this.cancelFlow());
    v.logMember.addEventListener("change", () => this.select(v.logMember.value));
    v.sendForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.render();
  }

  /** The tab is shown: start the runtime Worker if it is not running. */
  show(): void {
    if (!this.runtime && !this.connecting) this.connecting = this.connect().finally(() => (this.connecting = undefined));
  }

  private async connect(): Promise<void> {
    const generation = this.generation;
    const settings = this.settings();
    this.setBusy(true);
    this.view.setStatus("connecting", `connecting: starting the mobs' runtime worker (${settings.model})…`);
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    try {
      // The runtime comes from the example pack (its bytes transferred to the
      // Worker), trusting only the key the page was built with.
      const trust = { trustedSigners: { [__DEMO_PACK__.signerId]: __DEMO_PACK__.publicKey } };
      const config = { ...runtimeConfig(settings), mobpackTrust: trust };
      const runtime = await connectRuntime(worker, config, { mobpack: await fetchPack() });
      if (generation !== this.generation) return;
      this.runtime = runtime;
      this.runtimeSettings = settings;
      this.view.showPack(runtime.mobpack);
      this.view.setStatus("ready", `ready · ${settings.model} via ${settings.baseUrl}`);
      this.frame = requestAnimationFrame(this.tick);
    } catch (error) {
      worker.terminate();
      if (generation !== this.generation) return;
      this.worker = undefined;
      this.fail(error, "connect");
    } finally {
      if (generation === this.generation) this.setBusy(false);
    }
  }

  /**
   * Start a team. Its button disables itself while the team starts (for
   * good once it has): the keyboard focus it had goes on to the member
   * picker the team just filled, or back to the button if it did not start.
   */
  private async start(team: Team): Promise<void> {
    if (this.busy) return;
    const button = this.startButtons[team];
    const handOver = handFocus(button);
    try {
      await this.startTeam(team);
    } finally {
      handOver(this.started[team] ? this.view.sendTo : button);
    }
  }

  /** Create a team's mobs, spawn and wire their members, and subscribe to all of it. */
  private async startTeam(team: Team): Promise<void> {
    if (!this.runtime) await (this.connecting ?? this.connect());
    const runtime = this.runtime;
    if (!runtime || this.started[team]) return;
    const generation = this.generation;
    const settings = this.settings();
    const plan: TeamPlan =
      team === "research"
        ? researchTeam(settings)
        : team === "ambassadors"
          ? ambassadors(settings)
          : packTeam(settings, runtime.mobpack.definition);
    this.setBusy(true);
    this.view.setStatus("streaming", `starting the ${TEAM_NAMES[team]}…`);
    try {
      for (const { definition, members, wires } of plan.mobs) {
        const mob = await runtime.createMob(definition);
        // Subscribed before anything happens in the mob: the page sees every event.
        this.mobs.set(mob.mobId, { mob, events: await mob.subscribeEvents() });
        for (const result of await mob.spawn(members)) {
          if (result.status === "failed") throw Object.assign(new Error(result.message), { code: result.code });
          const key = memberKey(mob.mobId, result.agentIdentity);
          this.memberEvents.set(key, await mob.subscribeMemberEvents(result.agentIdentity));
        }
        for (const [a, b] of wires) await mob.wire(a, b);
        await this.refreshMembers(mob.mobId);
      }
      for (const [a, b] of plan.crossWires) {
        const [x, y] = [splitKey(a), splitKey(b)];
        await runtime.wireCrossMob(x.mobId, x.identity, y.mobId, y.identity);
      }
      if (generation !== this.generation) return;
      this.started[team] = true;
      this.view.setStatus("ready", `ready · ${this.model.members.size} member(s) in ${this.mobs.size} mob(s)`);
    } catch (error) {
      if (generation === this.generation) this.fail(error, `start ${team}`);
    } finally {
      if (generation === this.generation) this.setBusy(false);
    }
  }

  /** Give the chosen member the text (`member.send`), then show what its run answered. */
  private async send(): Promise<void> {
    const key = this.view.sendTo.value;
    const text = this.view.sendText.value.trim();
    const { mobId, identity } = splitKey(key);
    const mob = this.mobs.get(mobId)?.mob;
    if (!mob || text === "") return;
    const member = mob.member(identity);
    const stop = () => void member.interrupt().catch((error: unknown) => this.fail(error, "stop"));
    const line = this.view.addReply(key, text, stop);
    this.view.sendText.value = "";
    this.view.messageChanged();
    const generation = this.generation;
    try {
      const { runId } = await member.send(text);
      const result = await member.waitForRun(runId);
      line.done(result.text);
    } catch (error) {
      if (generation !== this.generation) return; // reset meanwhile: the line is gone
      const { code, message } = describeError(error);
      line.fail(code, message);
      console.error("[demo] mobs: send", error);
    }
  }

  private async runFlow(): Promise<void> {
    const mob = this.mobs.get(RESEARCH_TEAM)?.mob;
    if (!mob || this.flowRunning) return;
    const generation = this.generation;
    this.setFlowRunning(true);
    try {
      const runId = await mob.runFlow(REVIEW_FLOW, { topic: this.view.flowTopic.value.trim() || "otters" });
      if (generation !== this.generation) return;
      this.flowRun = runId;
      this.flowRefresh.request();
    } catch (error) {
      if (generation !== this.generation) return;
      this.setFlowRunning(false);
      this.fail(error, "run flow");
    }
  }

  /** A stalled step would hold the flow until its time-out: cancel it now. */
  private async cancelFlow(): Promise<void> {
    const runId = this.flowRun;
    const mob = this.mobs.get(RESEARCH_TEAM)?.mob;
    if (runId === undefined || !mob) return;
    // Cancel flow drops the keyboard focus while disabled: Run flow takes it when the flow has ended.
    this.cancelHandOver = handFocus(this.view.cancelFlow);
    this.view.cancelFlow.disabled = true;
    try {
      await mob.cancelFlow(runId);
      this.flowRefresh.request();
    } catch (error) {
      this.fail(error, "cancel flow");
    } finally {
      this.view.cancelFlow.disabled = false;
    }
  }

  private async refreshFlow(): Promise<void> {
    const runId = this.flowRun;
    const mob = this.mobs.get(RESEARCH_TEAM)?.mob;
    if (runId === undefined || !mob) return;
    const status = await mob.flowStatus(runId);
    if (runId !== this.flowRun) return;
    this.view.renderFlow(status);
    this.setFlowRunning(status.status === "pending" || status.status === "running");
  }

  /** Run flow and Cancel flow take turns, and the keyboard focus goes from one to the other. */
  private setFlowRunning(running: boolean): void {
    const focused = document.activeElement;
    this.flowRunning = running;
    this.setControls();
    if (running && focused === this.view.runFlow) this.view.cancelFlow.focus();
    if (running) return;
    if (focused === this.view.cancelFlow) this.view.runFlow.focus();
    this.cancelHandOver?.(this.view.runFlow);
    this.cancelHandOver = undefined;
  }

  /** Ask a mob for its members again (coalesced: one call in flight per mob). */
  private refreshMembers(mobId: string): Promise<void> {
    const mob = this.mobs.get(mobId)?.mob;
    if (!mob) return Promise.resolve();
    const generation = this.generation;
    return mob.listMembers().then((members) => {
      if (generation !== this.generation) return;
      this.model.setMembers(mobId, members);
      this.render();
    });
  }

  private requestMembers(mobId: string): void {
    let refresher = this.memberRefresh.get(mobId);
    if (!refresher) {
      refresher = new Coalesced(() => this.refreshMembers(mobId), (e) => this.fail(e, "list members"));
      this.memberRefresh.set(mobId, refresher);
    }
    refresher.request();
  }

  /** Each frame: take what every subscription has, apply it, redraw what changed. */
  private readonly tick = (): void => {
    this.frame = requestAnimationFrame(this.tick);
    const changes = noChanges();
    const batch = [...this.mobs].flatMap(([mobId, { events }]) => events.poll().map((item) => ({ mobId, item })));
    if (batch.length > 0) this.model.apply(batch, changes);
    const shown = this.view.logMember.value;
    let logChanged = false;
    for (const [key, sub] of this.memberEvents) {
      const events = sub.poll();
      if (events.length === 0) continue;
      this.model.appendLog(key, events);
      logChanged ||= key === shown;
    }
    for (const mobId of changes.refreshMembers) this.requestMembers(mobId);
    if (this.flowRun !== undefined && changes.flowRuns.has(this.flowRun)) this.flowRefresh.request();
    if (changes.members || changes.graph || changes.messages) this.render();
    else if (logChanged) this.view.renderLog(shown, this.model.logs.get(shown) ?? []);
  };

  /** Show one member's events (and mark it in the table and graph). */
  private select(key: MemberKey): void {
    this.view.logMember.value = key;
    this.render();
  }

  /** Retire a member (archived, unwired, still listed), or give a retired one a new session. */
  private async lifecycle(key: MemberKey, action: "retire" | "respawn"): Promise<void> {
    const { mobId, identity } = splitKey(key);
    const mob = this.mobs.get(mobId)?.mob;
    const generation = this.generation;
    try {
      if (!mob) return;
      if (action === "retire") return await mob.retire(identity);
      await mob.respawn(identity);
      // A member subscription reads one session: read the new one from now on.
      const fresh = await mob.subscribeMemberEvents(identity);
      const old = this.memberEvents.get(key);
      if (generation !== this.generation || !old) return fresh.close();
      this.model.appendLog(key, old.poll());
      old.close();
      this.memberEvents.set(key, fresh);
    } catch (error) {
      if (generation !== this.generation) return;
      this.view.redrawMember(key);
      this.render();
      this.fail(error, `${action} ${key}`);
    }
  }

  private render(): void {
    const rows = this.model.rows();
    const edges = [...this.model.edges.values()];
    this.view.renderMembers(rows, edges, this.model.deliveries, {
      select: (key) => this.select(key),
      retire: (key) => void this.lifecycle(key, "retire"),
      respawn: (key) => void this.lifecycle(key, "respawn"),
    });
    this.view.renderMessages(this.model.deliveries);
    const shown = this.view.logMember.value;
    this.view.renderLog(shown || undefined, this.model.logs.get(shown) ?? []);
    this.setControls();
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.setControls();
  }

  private setControls(): void {
    this.view.setControls({
      connected: this.runtime !== undefined,
      busy: this.busy,
      research: this.started.research,
      ambassadors: this.started.ambassadors,
      pack: this.started.pack,
      // Retired members take no messages (the picker leaves them out): only live ones count.
      members: this.model.rows().filter((row) => row.status !== "retired").length,
      flowRunning: this.flowRunning,
    });
  }

  /**
   * The chat's settings were applied: a runtime started on other ones cannot
   * run members of the new provider (its config has only the old provider's
   * key and base URL), so it goes, with its mobs; the next show starts one on
   * the new settings.
   */
  settingsApplied(settings: AgentSettings): void {
    const old = this.runtimeSettings;
    if (!this.runtime && !this.connecting) return;
    if (old && JSON.stringify(old) === JSON.stringify(settings)) return;
    void this.reset(false).then(() => {
      if (!this.runtime && !this.connecting) this.view.setStatus("idle", "not started · settings changed, restarts when shown");
    });
  }

  /** Destroy the runtime (runs in flight end), stop its Worker, forget every mob, start afresh (`reconnect`: now). */
  private async reset(reconnect = true): Promise<void> {
    // Reset disables itself while the old runtime goes: the keyboard focus it
    // had goes to Start research team once the new runtime is up.
    const handOver = handFocus(this.view.reset);
    this.generation += 1;
    const [runtime, worker] = [this.runtime, this.worker];
    cancelAnimationFrame(this.frame);
    for (const { events } of this.mobs.values()) events.close();
    for (const sub of this.memberEvents.values()) sub.close();
    this.mobs.clear();
    this.memberEvents.clear();
    this.memberRefresh.clear();
    [this.worker, this.runtime, this.connecting, this.flowRun] = [undefined, undefined, undefined, undefined];
    this.runtimeSettings = undefined;
    this.flowRunning = false;
    this.cancelHandOver = undefined;
    this.started.research = this.started.ambassadors = this.started.pack = false;
    this.view.showPack(null);
    this.model.clear();
    this.view.clear();
    this.render();
    this.setBusy(true);
    await runtime?.destroy().catch((error: unknown) => console.warn("[demo] mobs: destroy", error));
    worker?.terminate();
    this.setBusy(false);
    if (!reconnect) return;
    this.show();
    await this.connecting;
    handOver(this.view.startResearch);
  }

  private fail(error: unknown, context: string): void {
    const { code, message } = describeError(error);
    this.view.setStatus("error", `error ${code} (${context}): ${message}`);
    console.error(`[demo] mobs: ${context}:`, error);
  }
}
