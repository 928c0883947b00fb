/**
 * The wire between the page and the Worker, in the comlink spirit but only
 * what the runtime needs: calls by name (page → Worker) and calls of the
 * callbacks the page passed along (Worker → page: tools, hooks, event
 * batches), all over one port, each answered with its value or its error.
 * Errors keep their `MeerkatError` subclass, code and details (comlink's
 * default flattened them to name + message). What one side posts in one
 * microtask checkpoint crosses as one message.
 */
import { reviveError } from "../errors.js";

/** A Worker, a `MessagePort`, or the Worker's global scope (comlink's `Endpoint` shape). */
export interface Endpoint {
  postMessage(message: any, transfer?: Transferable[]): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: {}): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: {}): void;
  start?: () => void;
}

/**
 * The messages, tagged so that other traffic on the same port is left alone.
 * A call's `to` is a host method's name or the number of a callback; the
 * arguments at the positions in `fns` are callbacks, sent as their numbers.
 */
type Message =
  | { rkat: "call"; id: number; to: string | number; args: unknown[]; fns: number[] }
  | { rkat: "reply"; id: number; value?: unknown; thrown?: Thrown }
  | { rkat: "release"; fn: number };

/** Messages posted in the same microtask checkpoint cross as one (`connect`'s `post`). */
type Wire = Message | { rkat: "many"; messages: Message[] };

/** A thrown value as it crosses: an `Error`'s parts, or anything else as it is. */
export type Thrown = { name: string; message: string; code?: string; details?: unknown; capabilityHint?: unknown } | { value: unknown };

type Fn = (...args: any[]) => unknown;

export interface Peer {
  /**
   * Call `to` on the other side; functions among `args` become callbacks
   * there; what `transfer` lists moves instead of being copied.
   */
  call(to: string | number, args: unknown[], transfer?: Transferable[]): Promise<unknown>;
  /** Refuse later calls with `error`; with `failPending`, reject the unanswered ones too. */
  stop(error: Error, failPending: boolean): void;
  /** Why calls are refused, once they are. */
  readonly stopped: Error | undefined;
}

/** Callbacks received from the other side → how to release them there. */
const releases = new WeakMap<Fn, () => void>();

/** Values to move rather than copy when they cross (`transfer`). */
const transfers = new WeakMap<object, Transferable[]>();

/**
 * Mark `value` (an argument, or a value returned to the other side) so
 * that `list` is transferred with it instead of copied: an event batch's
 * bytes cross without a copy, and are gone from this side.
 */
export function transfer<T extends object>(value: T, list: Transferable[]): T {
  transfers.set(value, list);
  return value;
}

const transferListOf = (values: unknown[]): Transferable[] =>
  values.flatMap((v) => (typeof v === "object" && v !== null ? (transfers.get(v) ?? []) : []));

/**
 * Call ids and callback numbers are `k * CLIENTS + client`: unique in this
 * realm, and they tell whose they are. A Worker used again after
 * `runtime.destroy()` (or asked twice) has two clients on its port, each
 * seeing every message: a call to another client's callback is left to
 * it, one to a callback this client released is refused (not left to hang).
 */
const CLIENTS = 1024;
let clients = 0;
let counter = 0;

/** `value`, or its JSON copy if it cannot be cloned; throws for a function inside (which has no copy). */
function plain(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return JSON.parse(
      JSON.stringify(value, (_, v: unknown) => {
        if (typeof v === "function") throw new TypeError("a function cannot cross to the Worker");
        return v;
      }),
    );
  }
}

/** Tell the other side that a callback it passed will not be called again. */
export function release(callback: unknown): void {
  releases.get(callback as Fn)?.();
  releases.delete(callback as Fn);
}

/**
 * Talk over `endpoint`. Incoming calls by name go to `serve(name)` (the
 * Worker's host); calls by number go to the callbacks this side passed.
 * Once stopped and every call answered, this side stops listening and
 * `detached` runs: a Worker used again by new clients (after a destroy,
 * or a refused start) would otherwise gather a listener per client.
 */
export function connect(endpoint: Endpoint, serve: (name: string) => Fn | undefined = () => undefined, detached?: () => void): Peer {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const callbacks = new Map<number, Fn>();
  const me = clients++ % CLIENTS;
  const nextId = () => ++counter * CLIENTS + me;
  let stopped: Error | undefined;

  /**
   * Posts in batches: what is posted in one microtask checkpoint (the
   * page's 20 `member.send()`s, the Worker's 20 replies and the event
   * batch before them) crosses as one message, in order. Each
   * `postMessage` costs both threads a task and a serialization, tens of
   * µs on a busy machine; a lone message still crosses as itself.
   */
  let queue: Message[] = [];
  let moving: Transferable[][] = [];
  const post = (message: Message, transfer: Transferable[] = []) => {
    if (queue.push(message) === 1) queueMicrotask(flush);
    moving.push(transfer);
  };
  const flush = () => {
    const messages = queue;
    const lists = moving;
    queue = [];
    moving = [];
    if (messages.length > 1) {
      try {
        return endpoint.postMessage({ rkat: "many", messages }, [...new Set(lists.flat())]);
      } catch {
        // Refused: one by one below, so that what cannot be cloned fails alone, as a message of its own would.
      }
    }
    messages.forEach((message, i) => {
      try {
        endpoint.postMessage(message, lists[i]);
      } catch (error) {
        refused(message, error, lists[i]);
      }
    });
  };
  const refused = (message: Message, error: unknown, list?: Transferable[]) => {
    if (message.rkat === "call") {
      try {
        // Arguments a framework made reactive (Vue, Svelte, MobX proxies) cannot be cloned: their
        // JSON copies cross, which is what the main thread hands the core anyway.
        if ((error as Error)?.name !== "DataCloneError") throw error;
        endpoint.postMessage({ ...message, args: message.args.map(plain) }, list);
      } catch {
        pending.get(message.id)?.reject(error);
        pending.delete(message.id);
      }
    } else if (message.rkat === "reply") {
      try {
        endpoint.postMessage({ rkat: "reply", id: message.id, thrown: { name: "TypeError", message: "Unserializable return value" } });
      } catch {
        // The port itself refuses: nothing reaches the other side any more.
      }
    }
  };

  const remoteCallback = (fn: number): Fn => {
    const callback = (...args: unknown[]) => call(fn, args);
    releases.set(callback, () => post({ rkat: "release", fn }));
    return callback;
  };

  const call = (to: string | number, args: unknown[], moved: Transferable[] = transferListOf(args)): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId();
    const fns: number[] = [];
    const sent = args.map((arg, i) => {
      if (typeof arg !== "function") return arg;
      const n = nextId();
      callbacks.set(n, arg as Fn);
      fns.push(i);
      return n;
    });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ rkat: "call", id, to, args: sent, fns }, moved); // arguments that cannot be cloned reject (flush)
    });
  };

  /** Run a call from the other side (a sync throw, or nothing to call, rejects) and answer it; its outcome. */
  const answer = (id: number, fn: Fn | undefined, args: unknown[]): Promise<unknown> => {
    const reply = (outcome: { value: unknown } | { thrown: Thrown }) =>
      post({ rkat: "reply", id, ...outcome }, "value" in outcome ? transferListOf([outcome.value]) : []);
    const result = new Promise((resolve) => resolve(fn!(...args)));
    result.then(
      (value) => reply({ value }),
      (error: unknown) => reply({ thrown: toThrown(error) }),
    );
    return result;
  };

  const receive = (message: Message | null) => {
    switch (message?.rkat) {
      case "call": {
        const { to, args, fns } = message;
        const fn = typeof to === "number" ? callbacks.get(to) : serve(to);
        // Another client's callback (see `CLIENTS`): that client answers.
        if (!fn && typeof to === "number" && to % CLIENTS !== me) break;
        for (const i of fns) args[i] = remoteCallback(args[i] as number);
        // A call that failed kept none of its callbacks: the other side may drop them.
        answer(message.id, fn, args).catch(() => fns.forEach((i) => release(args[i])));
        break;
      }
      case "reply": {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (!message.thrown) waiter?.resolve(message.value);
        else waiter?.reject(fromThrown(message.thrown));
        detachIfDone();
        break;
      }
      case "release":
        callbacks.delete(message.fn);
    }
  };
  const listener = (event: Event) => {
    const wire = (event as MessageEvent).data as Wire | null;
    if (wire?.rkat !== "many") return receive(wire);
    for (const message of wire.messages) receive(message);
  };
  endpoint.addEventListener("message", listener);
  endpoint.start?.();
  const detachIfDone = () => {
    if (!stopped || pending.size > 0) return;
    endpoint.removeEventListener("message", listener);
    detached?.();
  };

  return {
    call,
    stop(error, failPending) {
      if (stopped) return;
      stopped = error;
      if (failPending) {
        for (const { reject } of pending.values()) reject(error);
        pending.clear();
      }
      detachIfDone();
    },
    get stopped() {
      return stopped;
    },
  };
}

/** `value` (thrown) as it crosses; also how the Worker tells the page why a subscription ended. */
export function toThrown(value: unknown): Thrown {
  if (!(value instanceof Error)) return { value };
  const { code, details, capabilityHint } = value as Error & { code?: unknown; details?: unknown; capabilityHint?: unknown };
  const thrown: Thrown = { name: value.name, message: value.message };
  if (typeof code === "string") thrown.code = code;
  if (details !== undefined) thrown.details = cloneable(details);
  // A CapabilityUnavailableError's hint says which capability was missing.
  if (capabilityHint !== undefined) thrown.capabilityHint = cloneable(capabilityHint);
  return thrown;
}

export function fromThrown(thrown: Thrown): unknown {
  if ("value" in thrown) return thrown.value;
  if (thrown.code !== undefined) return reviveError(thrown);
  return Object.assign(new Error(thrown.message), { name: thrown.name });
}

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}
