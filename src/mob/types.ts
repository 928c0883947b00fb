/**
 * Mob data types: the definition a mob is created from, what its methods
 * return, and the events of its subscription. Field names are the core's
 * (camelCase; the seed's snake_case spellings `agent_identity`,
 * `peer_description` and `runtime_mode` are accepted on input).
 */
import type { AgentEvent, CommsKind } from "../events.js";
import type { SkillRef } from "../skills.js";
import type { Budget, HistoryMessage, Prompt, RunResult, Usage } from "../types.js";

/**
 * How a member takes work: `autonomous_host` members wake and run a turn
 * when a peer's message arrives while they are idle; `turn_driven` members
 * wait for `send` or a flow step.
 */
export type MobRuntimeMode = "autonomous_host" | "turn_driven";

/** A kind of member: its model and what it may do. */
export interface MobProfile {
  model: string;
  /** Only needed when the model name does not tell. */
  provider?: "anthropic" | "openai" | "gemini";
  openaiApi?: "chat" | "responses";
  systemPrompt?: string;
  /** `SkillRef`s, or bare names of the mob's own `skills`. */
  skills?: SkillRef[];
  tools?: {
    /** The comms tools (`peers`, `send_message`, `send_request`, `send_response`); default true. */
    comms?: boolean;
    /** Names of tools registered on the runtime this member may use. */
    host?: string[];
  };
  /** What peers see of this member in `peers`. */
  peerDescription?: string;
  /** The seed's spelling of `peerDescription`. */
  peer_description?: string;
  /** Default `autonomous_host`. */
  runtimeMode?: MobRuntimeMode;
  /** The seed's spelling of `runtimeMode`. */
  runtime_mode?: MobRuntimeMode;
  outputSchema?: Record<string, unknown>;
  budget?: Budget;
  maxTokens?: number;
  /** The realm binding the members' requests go through (see `withAuthBinding`). */
  authBinding?: import("../auth/types.js").AuthBinding;
  /** Automatic compaction of each member's history, as `SessionConfig.compaction` (absent: none). */
  compaction?: import("../types.js").CompactionConfig;
}

/** One step of a flow; a step for a role runs on every member of that role. */
export interface MobFlowStep {
  id: string;
  role: string;
  /** Templates: `{{params.x}}`, `{{steps.<id>.output}}`. */
  message: string;
  dependsOn?: string[];
  /** A small expression over params and step outputs (`==`, `!=`, `&&`, `||`, `!`). */
  condition?: string;
  timeoutMs?: number;
  /** `json` asks the member for structured output. */
  outputFormat?: "text" | "json";
}

export interface MobFlowDefinition {
  steps: MobFlowStep[];
}

/** Storm limits of a mob, measured on the core's clock. */
export interface MobLimits {
  maxTurnsPerMemberPerMinute?: number;
  maxInboxDepth?: number;
  maxHops?: number;
  requestTimeoutMs?: number;
}

/** `runtime.createMob` input. The core checks all of it (`INVALID_MOB_DEFINITION` names the field). */
export interface MobDefinition {
  id: string;
  orchestrator?: { profile: string };
  profiles: Record<string, MobProfile>;
  wiring?: {
    /** Wire the orchestrator to every member as it is spawned. */
    autoWireOrchestrator?: boolean;
    /** Wire every member of role `a` to every member of role `b`. */
    roleWiring?: Array<{ a: string; b: string }>;
  };
  /** Skills of the mob itself, named by profiles' `skills`. */
  skills?: Record<string, { source: "inline"; content: string }>;
  flows?: Record<string, MobFlowDefinition>;
  limits?: MobLimits;
}

interface SpawnSpecFields {
  /** A profile of the mob's definition. */
  profile: string;
  /** Content the member's first run starts with. */
  initialMessage?: Prompt;
  /** Overrides the profile's. */
  runtimeMode?: MobRuntimeMode;
}

/** One row of `mob.spawn([...])`: a profile and the member's identity. */
export type SpawnSpec = SpawnSpecFields & ({ agent_identity: string } | { agentIdentity: string });

/** A member that was spawned (or respawned). */
export interface SpawnedMember {
  readonly status: "spawned";
  readonly agentIdentity: string;
  /** `"<mobId>/<agentIdentity>"`. */
  readonly memberRef: string;
  readonly sessionId: string;
  /** The run carrying `initialMessage`, when there was one. */
  readonly runId?: number;
}

/** A row of `mob.spawn` that failed; no member was left behind. */
export interface SpawnFailure {
  readonly status: "failed";
  readonly agentIdentity: string;
  readonly code: string;
  readonly message: string;
}

export type SpawnResult = SpawnedMember | SpawnFailure;

export type MemberState = "idle" | "running" | "retired";

/** One member as `mob.listMembers()` lists it. */
export interface MobMember {
  readonly agentIdentity: string;
  readonly role: string;
  readonly runtimeMode: MobRuntimeMode;
  readonly status: MemberState;
  /** Peer names: `"worker-1"`, or `"<mobId>/<identity>"` across mobs. */
  readonly wiredTo: readonly string[];
  readonly sessionId: string;
  readonly memberRef: string;
}

/** `mob.memberStatus(id)`. */
export interface MemberStatus {
  readonly agentIdentity: string;
  readonly status: MemberState;
  /** What the member is doing now (null when idle). */
  readonly currentActivity: string | null;
  readonly turns: number;
  readonly toolCalls: number;
  readonly usage: Usage;
  /** Peer messages waiting for the member's next turn. */
  readonly inboxDepth: number;
  readonly sessionId: string;
}

export type MobStatus = "creating" | "running" | "stopped" | "completed" | "destroyed";

/** One mob as `runtime.listMobs()` lists it. */
export interface MobSummary {
  readonly mobId: string;
  readonly status: MobStatus;
  readonly memberCount: number;
}

export type MobLifecycleAction = "stop" | "resume" | "complete" | "destroy";

export type FlowRunState = "pending" | "running" | "completed" | "failed" | "canceled";
export type FlowStepState = "pending" | "dispatched" | "completed" | "failed" | "skipped" | "canceled";

/** `mob.flowStatus(runId)`: one step entry per (step, member) once a role step fans out. */
export interface MobFlowStatus {
  readonly runId: string;
  readonly flowId: string;
  readonly status: FlowRunState;
  readonly steps: ReadonlyArray<{
    readonly id: string;
    /** Null while the step is pending or when it was skipped. */
    readonly member: string | null;
    readonly status: FlowStepState;
    /** The member's answer (parsed JSON for `outputFormat: "json"`), once completed. */
    readonly output: unknown;
  }>;
}

/** `member.send` options. */
export interface MemberSendOptions {
  /**
   * `queue` (default): the content is taken at the member's next turn.
   * `steer`: into the running turn at its next safe boundary.
   */
  handlingMode?: "queue" | "steer";
}

/** What `member.send` resolves with once the core accepted the content. */
export interface MemberSendResult {
  /** The run that carries the content (see `member.waitForRun`). */
  readonly runId: number;
}

/**
 * One member of a mob, from `mob.member(id)` (synchronous; the member is
 * looked up by each call, so a handle survives a respawn).
 */
export interface MemberHandle {
  readonly mobId: string;
  readonly agentIdentity: string;
  /** Give the member work; resolves once accepted, with the run that will carry it. */
  send(content: Prompt, options?: MemberSendOptions): Promise<MemberSendResult>;
  /**
   * The result of a run returned by `send`, `spawn` or `respawn` of this
   * mob (rejects with the run's error). Each such run can be awaited once.
   */
  waitForRun(runId: number): Promise<RunResult>;
  status(): Promise<MemberStatus>;
  /** The member's conversation so far. */
  history(): Promise<HistoryMessage[]>;
  /** Stop the member's turn in flight (does nothing when idle). */
  interrupt(): Promise<void>;
}

export interface MemberSpawnedEvent { type: "member_spawned"; member: string; role: string; sessionId: string }
export interface MemberRetiredEvent { type: "member_retired"; member: string }
export interface PeersWiredEvent { type: "peers_wired"; a: string; b: string }
export interface PeersUnwiredEvent { type: "peers_unwired"; a: string; b: string }
/** A peer message reached `to`'s inbox (its size, never its body). */
export interface MessageDeliveredEvent { type: "message_delivered"; from: string; to: string; kind: CommsKind; bytes: number }
/** A storm limit refused something (a turn, a delivery, a hop). */
export interface LimitReachedEvent { type: "limit_reached"; limit: string; member: string | null; detail: string }
export interface FlowStepChangedEvent {
  type: "flow_step_changed";
  runId: string;
  flowId: string;
  step: string;
  member: string | null;
  status: FlowStepState;
  /** On `failed`: why (the member run's error, or the step's own reason, e.g. no live member of its role). */
  error?: string;
}
export interface MobStatusChangedEvent { type: "mob_status_changed"; status: MobStatus }

/** Events of the mob itself (members' own events are `AgentEvent`s). */
export type MobEvent =
  | MemberSpawnedEvent
  | MemberRetiredEvent
  | PeersWiredEvent
  | PeersUnwiredEvent
  | MessageDeliveredEvent
  | LimitReachedEvent
  | FlowStepChangedEvent
  | MobStatusChangedEvent;

/** One item of `mob.subscribeEvents()`: a member's event or a mob event, attributed. */
export interface AttributedMobEvent {
  /** The member whose session the event comes from (null for mob events, which name members themselves). */
  readonly member: string | null;
  /** That member's role (null for mob events). */
  readonly role: string | null;
  /** This subscription's own counter (increasing). */
  readonly seq: number;
  /** The core's clock when the event happened. */
  readonly timestampMs: number;
  readonly event: AgentEvent | MobEvent;
}
