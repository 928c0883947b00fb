/**
 * Realms, auth bindings and external auth resolvers, field for field as in
 * the WASM runtime docs (`lease.expires_at` is snake_case there).
 */

export type ProviderName = "anthropic" | "openai" | "gemini";

/** A realm binding a session's requests go through (`withAuthBinding`). */
export interface AuthBinding {
  realm: string;
  binding: string;
}

/** What an external resolver is asked for: a binding, and the provider it reaches. */
export interface AuthResolverRequest extends AuthBinding {
  provider: ProviderName;
}

/** A credential the resolver hands over. */
export interface AuthLease {
  kind: "inline_secret";
  /** The API key or access token. Never appears in events, errors, history or hook contexts. */
  secret: string;
  /** Kept with the lease for diagnostics; never sent anywhere. */
  metadata?: Record<string, unknown>;
  /**
   * When the secret stops working: ISO-8601 text with an offset
   * (`"2030-01-01T00:00:00Z"`), or epoch seconds or milliseconds (told
   * apart by size). Absent: until the provider refuses it (HTTP 401).
   * `null` (what JSON makes of `NaN` or an invalid `Date`) is refused.
   * The lease is reused until 30 s before this moment, then asked for again.
   */
  expires_at?: string | number;
}

/** The host's login code: a fresh lease for a binding. Throwing fails the run with `AUTH_RESOLVER_FAILED`. */
export type ExternalAuthResolver = (authBinding: AuthResolverRequest) => AuthLease | Promise<AuthLease>;

export interface ExternalAuthResolverOptions {
  /** How long one call may take before the run fails with `AUTH_RESOLVER_FAILED` (default 30000). */
  timeoutMs?: number;
}

/** One binding of a realm (`RuntimeConfig.realms[realm].bindings[binding]`). */
export interface RealmBindingConfig {
  provider: ProviderName;
  /** `inline`: `apiKey` below; `external_resolver`: a lease from `registerExternalAuthResolver`. */
  credentialSource: "inline" | "external_resolver";
  /** Inline bindings only (a dummy value works behind rkat-web-proxy). */
  apiKey?: string;
  /** Origin without `/v1` (default: the provider's public API). */
  baseUrl?: string;
  /** OpenAI bindings: the wire API of sessions bound here (default `"chat"`). */
  openaiApi?: "chat" | "responses";
  /**
   * `api_key` (default): the secret goes where the provider expects its key
   * (`x-api-key`, `Authorization: Bearer`, `x-goog-api-key`); `bearer`:
   * `Authorization: Bearer <secret>` for every provider (OAuth tokens).
   */
  header?: "api_key" | "bearer";
}

/** A realm: named bindings. The provider keys of `RuntimeConfig` form the realm `default`. */
export interface RealmConfig {
  bindings: Record<string, RealmBindingConfig>;
}
