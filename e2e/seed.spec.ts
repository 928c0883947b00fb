/** The WASM runtime docs' samples (demo/seed.html) run as written, on the main thread. */
import { expect, test } from "@playwright/test";

interface Verdict {
  ok: boolean;
  resultText?: string;
  bodyText?: string;
  eventsLeft?: number;
  error?: { name: string; code?: string; message: string };
}

test("the docs samples: init (proxy), create session and run turn, poll events", async ({ page }) => {
  const logs: string[] = [];
  page.on("console", (message) => logs.push(message.text()));
  await page.goto("/seed.html");
  const verdictText = await page.locator("#verdict").textContent({ timeout: 20_000 });
  const verdict = JSON.parse(verdictText ?? "null") as Verdict;
  expect(verdict.error).toBeUndefined();
  expect(verdict.ok).toBe(true);

  // "Create session and run turn": result.text, also logged by the sample.
  expect(verdict.resultText).toBe("You said: Hello (1 messages in context)");
  expect(logs).toContain(verdict.resultText);

  // "Poll events": the text deltas were appended to the (empty) body.
  expect(verdict.bodyText).toBe(verdict.resultText);
  expect(verdict.eventsLeft).toBe(0);
  await expect(page.locator("body")).toContainText("You said: Hello (1 messages in context)");
});

interface AuthPackVerdict extends Verdict {
  auth?: { resolverCalls: number };
  pack?: { refusalCode?: string; refusalMessage?: string; name: string; signerId: string | null; replyText: string };
}

test("the docs samples: an external auth resolver with withAuthBinding, and initFromMobpack", async ({ page }) => {
  const keys: string[] = [];
  page.on("request", (request) => {
    const key = request.headers()["x-api-key"];
    if (key) keys.push(key);
  });
  await page.goto("/seed-auth.html");
  const verdict = JSON.parse((await page.locator("#verdict").textContent({ timeout: 20_000 })) ?? "null") as AuthPackVerdict;
  expect(verdict.error).toBeUndefined();
  expect(verdict.ok).toBe(true);

  // The bound session's turn ran on the resolver's token: asked once, sent as the key.
  expect(verdict.resultText).toBe("You said: Hello (1 messages in context)");
  expect(verdict.auth).toEqual({ resolverCalls: 1 });
  expect(keys[0]).toBe("oauth-team-alpha-1");

  // initFromMobpack as written is strict: no signer is trusted, so the pack is refused, saying how to fix it.
  expect(verdict.pack?.refusalCode).toBe("UNTRUSTED_MOBPACK");
  expect(verdict.pack?.refusalMessage).toMatch(/trustedSigners/);
  // Pinned, the same pack runs its mob.
  expect(verdict.pack).toMatchObject({ name: "research-team", signerId: "rkat-demo" });
  expect(verdict.pack?.replyText.length).toBeGreaterThan(0);
});
