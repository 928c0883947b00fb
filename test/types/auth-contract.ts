/**
 * Type-level assertions on the auth surface, field for field as in the
 * WASM runtime docs ("Create session and run turn"), checked by `tsc`.
 */
import type {
  AuthBinding,
  AuthLease,
  AuthResolverRequest,
  ExternalAuthResolver,
  MobProfile,
  RealmBindingConfig,
  RealmConfig,
  RuntimeConfig,
  SessionConfig,
  WasmModule,
} from "@rkat/web";
import { clearExternalAuthResolver, registerExternalAuthResolver, withAuthBinding } from "@rkat/web";
import type { WorkerRuntime } from "@rkat/web/worker";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): T | void {}

assert<Equals<keyof AuthBinding, "realm" | "binding">>();
assert<Equals<keyof AuthResolverRequest, "realm" | "binding" | "provider">>();
assert<Equals<keyof AuthLease, "kind" | "secret" | "metadata" | "expires_at">>();
assert<Equals<AuthLease["kind"], "inline_secret">>();
assert<Equals<AuthLease["expires_at"], string | number | undefined>>();
assert<Equals<Parameters<ExternalAuthResolver>, [authBinding: AuthResolverRequest]>>();
assert<Equals<ReturnType<ExternalAuthResolver>, AuthLease | Promise<AuthLease>>>();
assert<Equals<keyof RealmBindingConfig, "provider" | "credentialSource" | "apiKey" | "baseUrl" | "openaiApi" | "header">>();
assert<Equals<RealmBindingConfig["credentialSource"], "inline" | "external_resolver">>();
assert<Equals<RealmBindingConfig["header"], "api_key" | "bearer" | undefined>>();
assert<Equals<RuntimeConfig["realms"], Record<string, RealmConfig> | undefined>>();
assert<Equals<SessionConfig["authBinding"], AuthBinding | undefined>>();
assert<Equals<MobProfile["authBinding"], AuthBinding | undefined>>();
assert<Equals<ReturnType<typeof withAuthBinding>, SessionConfig>>();

// On a wasm module the registration is immediate; on a Worker runtime it crosses the bridge.
declare const wasm: WasmModule;
declare const worker: WorkerRuntime;
declare const resolver: ExternalAuthResolver;
const onModule: void = registerExternalAuthResolver(wasm, resolver);
const onWorker: Promise<void> = registerExternalAuthResolver(worker, resolver, { timeoutMs: 5000 });
const cleared: Promise<void> = clearExternalAuthResolver(worker);
assert<Equals<ReturnType<WorkerRuntime["registerExternalAuthResolver"]>, Promise<void>>>();
void [onModule, onWorker, cleared];

// A lease of another kind, or a binding without its realm, does not compile.
// @ts-expect-error kind must be "inline_secret"
registerExternalAuthResolver(wasm, async () => ({ kind: "bearer", secret: "x" }));
// @ts-expect-error realm is required
withAuthBinding({ binding: "anthropic" }, {});
