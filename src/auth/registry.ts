/**
 * External auth resolvers, registered per wasm module object: every
 * runtime created from that module asks the same resolver. A runtime in a
 * Worker is registered through its client instead (the resolver stays on
 * the page and is called across the bridge).
 */
import { isWasmModule, type WasmModule } from "../core.js";
import { fail, describeValue, isPlainObject, requireFunction } from "../validate.js";
import type { ExternalAuthResolver, ExternalAuthResolverOptions } from "./types.js";

export const DEFAULT_AUTH_TIMEOUT_MS = 30_000;
const MAX_AUTH_TIMEOUT_MS = 10 * 60_000;

/** A registered resolver with its timeout. */
export interface RegisteredResolver {
  resolve: ExternalAuthResolver;
  timeoutMs: number;
}

/** What else `registerExternalAuthResolver` accepts: a Worker runtime (`connectRuntime`). */
export interface AuthResolverTarget {
  registerExternalAuthResolver(resolver: ExternalAuthResolver, options?: ExternalAuthResolverOptions): Promise<void>;
  clearExternalAuthResolver(): Promise<void>;
}

const registry = new WeakMap<object, RegisteredResolver>();

/**
 * Register the resolver that leases credentials to bindings whose
 * `credentialSource` is `external_resolver`, for every runtime of `wasm`
 * (the module namespace passed to `MeerkatRuntime.init`); a second call
 * replaces the first. Pass a Worker runtime (from `connectRuntime`) to serve
 * the runtime in that Worker from this thread (returns a promise then).
 */
export function registerExternalAuthResolver(
  wasm: WasmModule,
  resolver: ExternalAuthResolver,
  options?: ExternalAuthResolverOptions,
): void;
export function registerExternalAuthResolver(
  runtime: AuthResolverTarget,
  resolver: ExternalAuthResolver,
  options?: ExternalAuthResolverOptions,
): Promise<void>;
export function registerExternalAuthResolver(
  target: WasmModule | AuthResolverTarget,
  resolver: ExternalAuthResolver,
  options?: ExternalAuthResolverOptions,
): void | Promise<void> {
  const what = "registerExternalAuthResolver";
  // A Worker runtime checks the arguments itself: refused, they reject its promise rather than throw.
  if (!isWasmModule(target)) return targetOf(target, what).registerExternalAuthResolver(resolver, options);
  registry.set(target, { resolve: resolver, timeoutMs: checkResolver(resolver, options, what) });
}

/** Forget the resolver of `wasm` (or of a Worker runtime); runs that need a lease then fail with `AUTH_RESOLVER_MISSING`. */
export function clearExternalAuthResolver(wasm: WasmModule): void;
export function clearExternalAuthResolver(runtime: AuthResolverTarget): Promise<void>;
export function clearExternalAuthResolver(target: WasmModule | AuthResolverTarget): void | Promise<void> {
  if (isWasmModule(target)) {
    registry.delete(target);
    return;
  }
  return targetOf(target, "clearExternalAuthResolver").clearExternalAuthResolver();
}

/** The resolver registered for `wasm`, looked up when a lease is needed. */
export function resolverFor(wasm: object): RegisteredResolver | undefined {
  return registry.get(wasm);
}

/** Forget `wasm`'s resolver if it is still `entry` (a Worker host cleaning up after itself). */
export function unregisterIf(wasm: object, entry: RegisteredResolver | undefined): void {
  if (entry && registry.get(wasm) === entry) registry.delete(wasm);
}

/** Check a resolver and its options; the timeout to use. */
export function checkResolver(resolver: unknown, options: unknown, what: string): number {
  requireFunction(resolver, `${what}: resolver`);
  if (options === undefined) return DEFAULT_AUTH_TIMEOUT_MS;
  if (!isPlainObject(options)) fail("INVALID_ARGUMENT", `${what}: options must be { timeoutMs? }, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== "timeoutMs") fail("INVALID_ARGUMENT", `${what}: unknown option ${JSON.stringify(key)}; expected timeoutMs`);
  }
  const { timeoutMs } = options as ExternalAuthResolverOptions;
  if (timeoutMs === undefined) return DEFAULT_AUTH_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_AUTH_TIMEOUT_MS) {
    fail("INVALID_ARGUMENT", `${what}: options.timeoutMs must be an integer from 1 to ${MAX_AUTH_TIMEOUT_MS}`);
  }
  return timeoutMs;
}

function targetOf(target: unknown, what: string): AuthResolverTarget {
  const t = target as Partial<AuthResolverTarget> | null;
  if (typeof t?.registerExternalAuthResolver !== "function" || typeof t.clearExternalAuthResolver !== "function") {
    fail(
      "INVALID_ARGUMENT",
      `${what}: pass the wasm module namespace (import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js") or a Worker runtime from connectRuntime`,
    );
  }
  return t as AuthResolverTarget;
}
