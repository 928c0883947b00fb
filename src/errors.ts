/**
 * Errors with stable codes.
 *
 * Every failure surfaces as a `MeerkatError` (or a subclass) whose `code` is
 * one of `ERROR_CODES`. Codes raised by the Rust core come from its table
 * (`meerkat-web-runtime/src/error.rs`); a cargo test checks that
 * `CORE_ERROR_CODES` mirrors it.
 */

/** Codes the Rust core raises (mirrors `meerkat-web-runtime/src/error.rs`). */
export const CORE_ERROR_CODES = [
  "INVALID_COMMAND",
  "INVALID_ARGUMENT",
  "INVALID_CONFIG",
  "MODEL_REQUIRED",
  "UNSUPPORTED_MODEL",
  "PROVIDER_NOT_CONFIGURED",
  "SESSION_NOT_FOUND",
  "SESSION_BUSY",
  "PROMPT_TOO_LARGE",
  "INVALID_TOOL",
  "DUPLICATE_TOOL",
  "TOOL_NOT_FOUND",
  "UNKNOWN_EFFECT",
  "CANCELLED",
  "MAX_TURNS_EXCEEDED",
  "BUDGET_EXHAUSTED",
  "SESSION_ARCHIVED",
  "INVALID_HOOK",
  "HOOK_NOT_FOUND",
  "HOOK_DENIED",
  "SKILL_NOT_FOUND",
  "INVALID_SKILL_SOURCE",
  "SKILL_SOURCE_NOT_FOUND",
  "INVALID_MOB_DEFINITION",
  "MOB_NOT_FOUND",
  "MEMBER_NOT_FOUND",
  "MOB_NOT_RUNNING",
  "FLOW_NOT_FOUND",
  "AUTH_BINDING_NOT_FOUND",
  "AUTH_RESOLVER_MISSING",
  "AUTH_RESOLVER_FAILED",
  "AUTH_LEASE_INVALID",
  "INVALID_MOBPACK",
  "UNTRUSTED_MOBPACK",
  "SKILL_SOURCE_FAILED",
  "CAPABILITY_UNAVAILABLE",
  "PROVIDER_AUTH",
  "PROVIDER_QUOTA",
  "PROVIDER_RATE_LIMITED",
  "PROVIDER_OVERLOADED",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_BAD_REQUEST",
  "PROVIDER_ERROR",
  "NETWORK_ERROR",
  "STREAM_TRUNCATED",
  "STREAM_PROTOCOL",
  "INTERNAL",
] as const;

/** Codes raised by the TypeScript layer itself. */
export const HOST_ERROR_CODES = [
  "VERSION_MISMATCH",
  "WASM_INIT_FAILED",
  "RUNTIME_DESTROYED",
  "RUNTIME_TRAPPED",
  "STREAM_NOT_CONSUMED",
] as const;

export type ErrorCode = (typeof CORE_ERROR_CODES)[number] | (typeof HOST_ERROR_CODES)[number];

/**
 * Every code. Marked pure so that a bundle which never reads the list
 * (most apps) does not ship it.
 */
export const ERROR_CODES: readonly ErrorCode[] = /* @__PURE__ */ (CORE_ERROR_CODES as readonly ErrorCode[]).concat(
  HOST_ERROR_CODES,
);

export interface CapabilityHint {
  capability_id: string;
  message: string;
}

/** Base class of every error this package throws. */
export class MeerkatError extends Error {
  readonly code: string;
  readonly details?: unknown;
  readonly capabilityHint?: CapabilityHint;

  constructor(code: string, message: string, details?: unknown, capabilityHint?: CapabilityHint) {
    super(message);
    // Spelled out: a minifier renames classes, and `name` is part of the API.
    this.name = ERROR_NAMES.get(new.target) ?? new.target.name;
    this.code = code;
    if (details !== undefined) this.details = details;
    if (capabilityHint !== undefined) this.capabilityHint = capabilityHint;
  }
}

export class CapabilityUnavailableError extends MeerkatError {}
export class SessionNotFoundError extends MeerkatError {}
export class SkillNotFoundError extends MeerkatError {}
/** The LLM provider or the network failed (codes `PROVIDER_*`, `NETWORK_ERROR`, `STREAM_*`). */
export class ProviderError extends MeerkatError {}

const SUBCLASSES: Record<string, typeof MeerkatError> = {
  MeerkatError,
  CapabilityUnavailableError,
  SessionNotFoundError,
  SkillNotFoundError,
  ProviderError,
};

/** Each class's public name, as written in the source (the keys above are string literals, kept by minifiers). */
const ERROR_NAMES = new Map<typeof MeerkatError, string>(Object.entries(SUBCLASSES).map(([name, Class]) => [Class, name]));

/** The class an error with this code is thrown as. */
export function errorClassFor(code: string): typeof MeerkatError {
  if (code === "SESSION_NOT_FOUND") return SessionNotFoundError;
  if (code === "CAPABILITY_UNAVAILABLE") return CapabilityUnavailableError;
  if (code === "SKILL_NOT_FOUND") return SkillNotFoundError;
  if (code.startsWith("PROVIDER_") || code.startsWith("STREAM_") || code === "NETWORK_ERROR") return ProviderError;
  return MeerkatError;
}

/** Build the right subclass for a `{code, message}` pair. */
export function makeError(code: string, message: string, details?: unknown): MeerkatError {
  const Class = errorClassFor(code);
  return new Class(code, message, details);
}

/**
 * Rebuild an error from its plain shape (after crossing a Worker boundary),
 * keeping its subclass, code and details.
 */
export function reviveError(plain: {
  name?: string;
  code?: string;
  message?: string;
  details?: unknown;
  capabilityHint?: unknown;
}): MeerkatError {
  const Class = (plain.name !== undefined && SUBCLASSES[plain.name]) || errorClassFor(plain.code ?? "INTERNAL");
  return new Class(plain.code ?? "INTERNAL", plain.message ?? "unknown error", plain.details, plain.capabilityHint as CapabilityHint | undefined);
}
