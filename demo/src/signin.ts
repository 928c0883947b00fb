/**
 * The Sign-in page: a chat whose credential comes from the host app's login
 * (a fake identity provider on this page), not from the runtime config.
 *
 * The runtime runs in its own Worker with a realm `team-alpha` whose
 * binding takes its key from an external auth resolver. The resolver stays
 * here on the page: the Worker asks for a lease across the bridge when a
 * request needs one, the runtime caches it until 30 s before it expires,
 * and a signed-out page fails the run with AUTH_RESOLVER_FAILED.
 */
import { withAuthBinding, type AgentEvent, type AuthLease, type AuthResolverRequest, type RuntimeConfig } from "@rkat/web";
import { connectRuntime, type WorkerRuntime, type WorkerSession } from "@rkat/web/worker";
import { providerFamily, runtimeConfig, sessionConfig, type AgentSettings } from "./agent.js";
import { byId, el, follow, say, sendWhenWritten } from "./dom.js";
import { FakeIdentityProvider } from "./fake-login.js";
import { describeError } from "./ui.js";

const REALM = "team-alpha";

/** The chat's runtime config plus the realm whose binding asks the resolver. */
export function realmConfig(settings: AgentSettings): RuntimeConfig {
  const provider = providerFamily(settings);
  const binding = { provider, credentialSource: "external_resolver" as const, baseUrl: settings.baseUrl };
  return { ...runtimeConfig(settings), realms: { [REALM]: { bindings: { [provider]: binding } } } };
}

export class SignInPage {
  private readonly idp = new FakeIdentityProvider();
  private worker: Worker | undefined;
  private runtime: WorkerRuntime | undefined;
  private connecting: Promise<WorkerRuntime> | undefined;
  private readonly status = byId<HTMLElement>("signin-status");
  private readonly statusText = byId<HTMLElement>("signin-status-text");
  private readonly loginForm = byId<HTMLFormElement>("login");
  private readonly user = byId<HTMLInputElement>("login-user");
  private readonly password = byId<HTMLInputElement>("login-password");
  /** Why the last sign-in failed, under the form (an alert: read out when it appears). */
  private readonly loginError = byId<HTMLElement>("login-error");
  private readonly signOutButton = byId<HTMLButtonElement>("sign-out");
  private readonly account = byId<HTMLElement>("login-account");
  private readonly resolverLog = byId<HTMLOListElement>("resolver-log");
  private readonly chatForm = byId<HTMLFormElement>("signin-chat");
  private readonly prompt = byId<HTMLTextAreaElement>("signin-prompt");
  private readonly send = byId<HTMLButtonElement>("signin-send");
  private readonly stop = byId<HTMLButtonElement>("signin-stop");
  /** The session whose turn is streaming, for Stop. */
  private streaming: WorkerSession | undefined;
  /** A turn is in progress (from Send to its end). */
  private asking = false;
  /** Send is disabled while the prompt is blank or a turn is in progress. */
  private readonly promptChanged = sendWhenWritten(this.prompt, this.send, () => this.asking);
  private readonly transcript = byId<HTMLElement>("signin-messages");
  private readonly eventLog = byId<HTMLOListElement>("signin-events");

  constructor(private readonly settings: () => AgentSettings) {
    this.loginForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.signIn();
    });
    this.signOutButton.addEventListener("click", () => this.signOut());
    // A stalled provider would otherwise hold Send disabled for good.
    this.stop.addEventListener("click", () => {
      this.stop.disabled = true;
      void this.streaming?.interrupt().catch((error) => this.setStatus("error", `interrupt failed: ${describeError(error).message}`));
    });
    this.chatForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.ask(this.prompt.value);
    });
    // Enter sends (when Send can be pressed), Shift+Enter adds a line (as on the Chat page).
    this.prompt.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!this.send.disabled) this.chatForm.requestSubmit();
      }
    });
    this.renderAccount();
  }

  /** The tab is shown: start its runtime Worker if it is not running. */
  show(): void {
    void this.connect().catch((error) => this.setStatus("error", `worker failed: ${describeError(error).message}`));
  }

  private connect(): Promise<WorkerRuntime> {
    if (this.runtime) return Promise.resolve(this.runtime);
    this.connecting ??= this.start().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async start(): Promise<WorkerRuntime> {
    const settings = this.settings();
    this.setStatus("connecting", "connecting: starting the runtime worker…");
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    try {
      const runtime = await connectRuntime(worker, realmConfig(settings));
      await runtime.registerExternalAuthResolver((request) => this.resolve(request));
      this.runtime = runtime;
      this.setStatus("ready", `ready · ${REALM}/${providerFamily(settings)} via ${settings.baseUrl}`);
      return runtime;
    } catch (error) {
      worker.terminate();
      this.worker = undefined;
      throw error;
    }
  }

  /** The external auth resolver: the page's login hands over a fresh token. */
  private resolve(request: AuthResolverRequest): AuthLease {
    const line = `${new Date().toLocaleTimeString()} ${request.realm}/${request.binding} (${request.provider}): `;
    try {
      const token = this.idp.freshAccessToken();
      this.logResolver(`${line}token #${this.idp.issued} for ${token.accountId}, expires ${token.expiresAt}`, "ok");
      return { kind: "inline_secret", secret: token.accessToken, metadata: { account_id: token.accountId }, expires_at: token.expiresAt };
    } catch (error) {
      this.logResolver(`${line}refused: ${describeError(error).message}`, "refused");
      throw error;
    }
  }

  private signIn(): void {
    this.showLoginError(undefined);
    try {
      this.idp.signIn(this.user.value, this.password.value);
      this.password.value = "";
    } catch (error) {
      const { message } = describeError(error);
      this.logResolver(`sign-in failed: ${message}`, "refused");
      this.showLoginError(message, this.user.value.trim() === "" ? this.user : this.password);
    }
    this.renderAccount();
    // The form is hidden now: focus goes to what replaced it, not to the page's body.
    if (this.idp.signedInAs !== undefined) this.signOutButton.focus();
  }

  /**
   * Say why the sign-in failed next to the form and mark the field to fix, which takes the focus; or clear it.
   * The same error twice in a row is read out twice (`say`).
   */
  private showLoginError(message: string | undefined, field?: HTMLInputElement): void {
    say(this.loginError, message ?? "");
    for (const input of [this.user, this.password]) {
      if (input === field) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    field?.select();
    field?.focus();
  }

  private signOut(): void {
    this.idp.signOut();
    this.renderAccount();
    this.password.focus();
  }

  private renderAccount(): void {
    const who = this.idp.signedInAs;
    this.account.textContent = who ? `signed in as ${who}` : "signed out";
    this.account.dataset.state = who ? "in" : "out";
    this.loginForm.hidden = who !== undefined;
    this.signOutButton.hidden = who === undefined;
  }

  /** One turn on a fresh session bound to the realm: streamed text and its events. */
  private async ask(text: string): Promise<void> {
    const prompt = text.trim();
    if (!prompt || this.asking) return;
    this.asking = true;
    // The transcript is a log: a reply is read out once it is whole, not delta by delta.
    this.transcript.setAttribute("aria-busy", "true");
    this.prompt.value = "";
    this.promptChanged();
    const reply = el("div", "msg assistant");
    // How the turn ended, on the reply once it has (as the Chat page's replies say).
    reply.dataset.state = "streaming";
    let outcome = "done";
    follow(this.transcript, () => this.transcript.append(el("div", "msg user", prompt), reply), true);
    try {
      const runtime = await this.connect();
      const settings = this.settings();
      const session = await runtime.createSession(withAuthBinding({ realm: REALM, binding: providerFamily(settings) }, sessionConfig(settings)));
      this.setStatus("streaming", "streaming…");
      this.streaming = session;
      [this.stop.hidden, this.stop.disabled] = [false, false];
      // An interrupted turn still resolves: its last turn says "cancelled".
      let cancelled = false;
      for await (const event of session.stream(prompt)) {
        if (event.type === "turn_completed") cancelled = event.stopReason === "cancelled";
        this.showEvent(event, reply);
      }
      if (cancelled) {
        follow(this.transcript, () => reply.append(el("div", "muted stopped", "(stopped)")));
        outcome = "interrupted";
      }
      await session.destroy();
      this.setStatus("ready", cancelled ? "ready · stopped" : "ready");
    } catch (error) {
      const { code, message } = describeError(error);
      follow(this.transcript, () => reply.append(el("div", "error-box", `${code}: ${message}`)));
      outcome = "error";
      this.setStatus("ready", `last turn failed: ${code}`);
    } finally {
      this.streaming = undefined;
      this.stop.hidden = true;
      this.asking = false;
      this.transcript.setAttribute("aria-busy", "false");
      this.promptChanged();
      reply.dataset.state = outcome;
      // Stop (now hidden) or Send had the focus: give it to the prompt, as the Chat page does.
      const active = document.activeElement;
      if (active === document.body || active === this.stop || active === this.send) this.prompt.focus();
    }
  }

  private showEvent(event: AgentEvent, reply: HTMLElement): void {
    if (event.type === "text_delta") {
      follow(this.transcript, () => reply.append(event.delta));
    }
    const item = this.eventLog.appendChild(el("li", undefined, event.type));
    item.dataset.type = event.type;
    this.eventLog.scrollTop = this.eventLog.scrollHeight;
  }

  private logResolver(text: string, outcome: "ok" | "refused"): void {
    const item = this.resolverLog.appendChild(el("li", undefined, text));
    item.dataset.outcome = outcome;
  }

  private setStatus(state: "connecting" | "ready" | "streaming" | "error", text: string): void {
    this.status.dataset.state = state;
    this.statusText.textContent = text;
    this.status.title = text;
  }

  /** Stop the Worker (a settings change reconnects on next use). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.runtime = undefined;
  }
}
