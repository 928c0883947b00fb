/**
 * The seed page's report: after the documentation samples ran, a JSON
 * verdict in `<pre id="verdict">`; if they threw, the error instead. Imported
 * (and so evaluated) before the samples, to catch their failures.
 */
export interface SeedVerdict {
  ok: boolean;
  /** `result.text` of `session.turn("Hello")`. */
  resultText?: string;
  /** `document.body.innerText` after the "Poll events" sample. */
  bodyText?: string;
  /** Events still queued after the "Poll events" sample (0 expected). */
  eventsLeft?: number;
  /** The auth sample (seed-auth): how often the host's login was asked. */
  auth?: { resolverCalls: number };
  /** The mobpack sample (seed-auth): its refusal as written, then the pinned pack's run. */
  pack?: { refusalCode?: string; refusalMessage?: string; name: string; signerId: string | null; replyText: string };
  error?: { name: string; code?: string; message: string };
}

let written = false;

export function writeVerdict(verdict: SeedVerdict): void {
  if (written) return;
  written = true;
  const pre = document.createElement("pre");
  pre.id = "verdict";
  pre.textContent = JSON.stringify(verdict, null, 2);
  document.body.append(pre);
}

function fail(reason: unknown): void {
  const error = reason as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  writeVerdict({
    ok: false,
    error: {
      name: typeof error?.name === "string" ? error.name : "Error",
      ...(typeof error?.code === "string" ? { code: error.code } : {}),
      message: typeof error?.message === "string" ? error.message : String(reason),
    },
  });
}

// A rejected top-level await of a module surfaces as an `error` event.
window.addEventListener("error", (event) => fail(event.error ?? event.message));
window.addEventListener("unhandledrejection", (event) => fail(event.reason));
