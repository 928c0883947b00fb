/**
 * What the Mobs page creates: the seed's research team (a lead and a
 * worker, with a `review` flow) and the north/south ambassadors, each mob
 * with its members; plus example prompts the simulated provider acts on
 * (proxy/sim/comms-intent.mjs: "send a message to X: ...", "tell X ...").
 */
import type { MobDefinition, MobProfile, SpawnSpec } from "@rkat/web";
import { sessionConfig, type AgentSettings } from "./agent.js";

/** A member across mobs: `"<mobId>/<identity>"`. */
export type MemberKey = string;

export const memberKey = (mobId: string, identity: string): MemberKey => `${mobId}/${identity}`;

/**
 * A peer name as a mob's events give it (`"worker-1"` inside the mob,
 * `"south/ambassador-south"` across mobs), made a key.
 */
export function keyOf(mobId: string, name: string): MemberKey {
  return name.includes("/") ? name : memberKey(mobId, name);
}

/** The mob id and the identity of a key. */
export function splitKey(key: MemberKey): { mobId: string; identity: string } {
  const slash = key.indexOf("/");
  return { mobId: key.slice(0, slash), identity: key.slice(slash + 1) };
}

/** A mob to create, the members to spawn in it, and pairs to wire inside it. */
export interface MobPlan {
  definition: MobDefinition;
  members: SpawnSpec[];
  wires: Array<[string, string]>;
}

/** A group of mobs started by one button, and cross-mob wires between them. */
export interface TeamPlan {
  mobs: MobPlan[];
  crossWires: Array<[MemberKey, MemberKey]>;
}

export const RESEARCH_TEAM = "research-team";
export const REVIEW_FLOW = "review";

/** A member profile for the provider and model of the page's settings, comms tools on. */
function profile(settings: AgentSettings, peerDescription: string): MobProfile {
  const { model, provider, openaiApi } = sessionConfig(settings);
  return {
    model: model ?? settings.model,
    ...(provider === undefined ? {} : { provider }),
    ...(openaiApi === undefined ? {} : { openaiApi }),
    peerDescription,
    tools: { comms: true },
  };
}

/** The seed's research team: orchestrator `lead`, profile `worker`, and the `review` flow. */
export function researchTeam(settings: AgentSettings): TeamPlan {
  const definition: MobDefinition = {
    id: RESEARCH_TEAM,
    orchestrator: { profile: "lead" },
    profiles: {
      lead: profile(settings, "Leads the research."),
      worker: profile(settings, "Does the research."),
    },
    flows: {
      [REVIEW_FLOW]: {
        steps: [
          { id: "draft", role: "worker", message: "Draft a note on {{params.topic}}." },
          { id: "check", role: "lead", message: "Check this draft: {{steps.draft.output}}", dependsOn: ["draft"] },
        ],
      },
    },
  };
  return {
    mobs: [
      {
        definition,
        members: [
          { profile: "lead", agent_identity: "lead-1" },
          { profile: "worker", agent_identity: "worker-1" },
        ],
        wires: [["lead-1", "worker-1"]],
      },
    ],
    crossWires: [],
  };
}

/** Two mobs of one ambassador each, wired across mobs with `runtime.wireCrossMob`. */
export function ambassadors(settings: AgentSettings): TeamPlan {
  const faction = (id: "north" | "south"): MobPlan => ({
    definition: {
      id,
      orchestrator: { profile: "ambassador" },
      profiles: { ambassador: profile(settings, `Speaks for the ${id} faction.`) },
    },
    members: [{ profile: "ambassador", agent_identity: `ambassador-${id}` }],
    wires: [],
  });
  return {
    mobs: [faction("north"), faction("south")],
    crossWires: [[memberKey("north", "ambassador-north"), memberKey("south", "ambassador-south")]],
  };
}

/** The mob of the example pack, under its own id (its definition's id is the research team's). */
export const PACK_MOB = "pack";

/**
 * The example pack's mob (`runtime.mobpack.definition`) on the page's
 * provider settings: each profile keeps its prompt, skills and comms, with
 * the page's model; one member per profile, the orchestrator first (its
 * auto-wiring wires the others to it).
 */
export function packTeam(settings: AgentSettings, definition: MobDefinition): TeamPlan {
  const profiles = Object.fromEntries(
    Object.entries(definition.profiles).map(([name, p]) => [name, { ...p, ...profile(settings, p.peerDescription ?? name) }]),
  );
  const first = definition.orchestrator?.profile ?? Object.keys(profiles)[0] ?? "";
  const names = [first, ...Object.keys(profiles).filter((name) => name !== first)];
  return {
    mobs: [
      {
        definition: { ...definition, id: PACK_MOB, profiles },
        members: names.map((name) => ({ profile: name, agent_identity: `${name}-1` })),
        wires: [],
      },
    ],
    crossWires: [],
  };
}

/** An example prompt of the composer: who gets it, and what. */
export interface MobExample {
  label: string;
  to: MemberKey;
  text: string;
}

export const MOB_EXAMPLES: readonly MobExample[] = [
  { label: "lead → worker", to: "research-team/lead-1", text: "Send a message to worker-1: collect the data." },
  { label: "request 2+2", to: "research-team/lead-1", text: "Send a request to worker-1: what is 2+2?" },
  { label: "worker tells lead", to: "research-team/worker-1", text: "Tell lead-1 the survey is done." },
  { label: "look up peers", to: "research-team/lead-1", text: "Send a message to the research worker: begin." },
  {
    label: "north asks south",
    to: "north/ambassador-north",
    text: "Send a request to south/ambassador-south: will you trade grain?",
  },
  {
    label: "south tells north",
    to: "south/ambassador-south",
    text: "Send a message to north/ambassador-north: our harvest was good.",
  },
];
