/**
 * The demo's Mobs page: the research team (lead-1, worker-1) and the
 * north/south ambassadors, in the page's runtime Worker against the
 * simulated provider, which uses the comms tools when a prompt tells a
 * member to talk to a peer.
 */
import { expect, test, type Page } from "@playwright/test";
import { PROXY, expectBlankComposerInert, openDemo, sendAndWait } from "./helpers.js";

/**
 * Open the demo on the Mobs page (by its tab, or by its URL), wait for its
 * runtime Worker; returns the page's errors and console errors as they come.
 */
async function openMobs(page: Page, via: "tab" | "url"): Promise<string[]> {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  if (via === "tab") {
    await openDemo(page);
    await page.getByRole("tab", { name: "Mobs" }).click();
  } else {
    await openDemo(page, "#mobs");
  }
  await expect(page.getByRole("tab", { name: "Mobs" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("#mobs-view")).toBeVisible();
  await expect(page.locator("#chat-view")).toBeHidden();
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
  return errors;
}

/** Start one of the teams and wait until it is listed. */
async function start(page: Page, button: string, members: number): Promise<void> {
  await page.getByRole("button", { name: button }).click();
  await expect(page.getByRole("button", { name: button })).toBeDisabled();
  await expect(page.locator("#mob-members tbody tr[data-member]")).toHaveCount(members);
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
}

/** Send `text` to a member (`"<mob>/<identity>"`) through the composer. */
async function sendTo(page: Page, member: string, text: string): Promise<void> {
  await page.locator("#mob-send-to").selectOption(member);
  await page.locator("#mob-send-text").fill(text);
  await page.locator("#mob-send-button").click();
}

const member = (page: Page, key: string) => page.locator(`#mob-members tr[data-member="${key}"]`);

/** The answer of the composer's last send. */
const lastAnswer = (page: Page) => page.locator("#mob-replies li").last().locator(".answer");

/** No provider key anywhere in the page: the proxy holds it. */
async function expectNoKeys(page: Page): Promise<void> {
  const html = await page.content();
  expect(html).not.toMatch(/sk-ant-|sk-proj-|AIza[0-9A-Za-z_-]{20}/);
}

test("the research team: members, wiring, a message and its reply, a member's events, the review flow", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);

  // 1, 3: the members, as listMembers says.
  await expect(member(page, "research-team/lead-1").locator("td")).toHaveText([
    "lead-1", "research-team", "lead", "autonomous_host", "idle", "worker-1", "retire",
  ]);
  await expect(member(page, "research-team/worker-1").locator("td")).toHaveText([
    "worker-1", "research-team", "worker", "autonomous_host", "idle", "lead-1", "retire",
  ]);

  // 4: the wiring graph, a node per member and the wire between them.
  const graph = page.locator("#mob-graph");
  await expect(graph.locator(".node")).toHaveCount(2);
  await expect(graph.locator('.node[data-member="research-team/lead-1"]')).toContainText("lead-1");
  await expect(graph.locator(".edge")).toHaveCount(1);
  await expect(graph.locator('.edge[data-edge="lead-1—worker-1"]')).toHaveCount(1);
  await expect(graph.locator(".edge.cross")).toHaveCount(0);

  // 6: lead-1 is told to message worker-1; worker-1 wakes and replies; lead-1 acknowledges.
  await expect(page.locator("#mob-send-to")).toHaveValue("research-team/lead-1");
  await sendTo(page, "research-team/lead-1", "Send a message to worker-1: collect the data.");
  const reply = page.locator("#mob-replies li").last();
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(reply.locator(".answer")).toHaveText("I sent worker-1 a message: Collect the data.");

  // 5: the messages list, from message_delivered.
  await expect(page.locator("#mob-messages li .route")).toHaveText(["lead-1 → worker-1", "worker-1 → lead-1"]);
  await expect(page.locator("#mob-messages li .kind")).toHaveText(["message", "message"]);
  await expect(page.locator("#mob-messages li .bytes").first()).toHaveText(/^[1-9]\d* B$/);
  await expect(page.locator("#mob-message-count")).toHaveText("2");
  await expect(graph.locator('.edge[data-edge="lead-1—worker-1"] .edge-count')).toHaveText("2 msgs");

  // 5: worker-1's own events (subscribeMemberEvents): it heard lead-1, then answered.
  await page.locator("#mob-log-member").selectOption("research-team/worker-1");
  const log = page.locator("#mob-log");
  await expect(log.locator('li[data-type="message_received"]')).toHaveCount(1);
  await expect(log.locator('li[data-type="message_received"] .sum')).toHaveText(/^from lead-1 · message · \d+ B$/);
  await expect(log.locator('li[data-type="tool_call_requested"] .sum')).toContainText(["send_message"]);
  await expect(log.locator('li[data-type="run_completed"]')).toHaveCount(1);
  await expect(log.locator('li[data-type="run_completed"] .sum')).toContainText("I replied to lead-1.");
  await expect(member(page, "research-team/worker-1")).toHaveClass(/selected/);
  await expect(graph.locator('.node.selected[data-member="research-team/worker-1"]')).toHaveCount(1);

  // lead-1 ran twice (the send, then the acknowledgement); both members end idle.
  await page.locator("#mob-log-member").selectOption("research-team/lead-1");
  await expect(log.locator('li[data-type="run_completed"]')).toHaveCount(2);
  await expect(log.locator('li[data-type="run_completed"] .sum').last()).toContainText("worker-1 replied: Re: received");
  await expect(member(page, "research-team/lead-1")).toHaveAttribute("data-status", "idle");
  await expect(member(page, "research-team/worker-1")).toHaveAttribute("data-status", "idle");

  // 7: the review flow: draft on worker-1, then check on lead-1.
  await page.locator("#mob-flow-topic").fill("otters");
  await page.getByRole("button", { name: "Run flow" }).click();
  const steps = page.locator("#mob-flow-steps tbody tr");
  await expect(page.locator("#mob-flow-state")).toHaveText("review · completed");
  await expect(steps).toHaveCount(2);
  await expect(steps.locator("td:nth-child(1)")).toHaveText(["draft", "check"]);
  await expect(steps.locator("td:nth-child(2)")).toHaveText(["worker-1", "lead-1"]);
  await expect(steps.locator("td:nth-child(3)")).toHaveText(["completed", "completed"]);
  await expect(page.locator('#mob-flow-steps tr[data-step="draft"] .output')).toContainText("Draft a note on otters.");
  await expect(page.locator('#mob-flow-steps tr[data-step="check"] .output')).toContainText("Check this draft:");
  // The flow's steps are runs of the members, not peer messages.
  await expect(page.locator("#mob-message-count")).toHaveText("2");

  await page.screenshot({ path: "test-results/demo-mobs.png" });

  // Retire worker-1: listed as retired, unwired (peers_unwired), no longer a send target.
  await member(page, "research-team/worker-1").getByRole("button", { name: "retire" }).click();
  await expect(member(page, "research-team/worker-1")).toHaveAttribute("data-status", "retired");
  await expect(member(page, "research-team/worker-1").locator("td").nth(5)).toHaveText("—");
  await expect(graph.locator(".edge")).toHaveCount(0);
  await expect(graph.locator('.node[data-member="research-team/worker-1"]')).toHaveAttribute("data-status", "retired");
  await expect(page.locator("#mob-send-to option")).toHaveText(["lead-1 (research-team)"]);
  // Respawn: a new session, its wire restored.
  await member(page, "research-team/worker-1").getByRole("button", { name: "respawn" }).click();
  await expect(member(page, "research-team/worker-1")).toHaveAttribute("data-status", "idle");
  await expect(graph.locator('.edge[data-edge="lead-1—worker-1"]')).toHaveCount(1);
  await expect(page.locator("#mob-send-to option")).toHaveCount(2);
  // Its log goes on from the new session: worker-1 tells lead-1, lead-1 replies.
  await page.locator("#mob-log-member").selectOption("research-team/worker-1");
  await sendTo(page, "research-team/worker-1", "Tell lead-1 the survey is done.");
  await expect(page.locator("#mob-messages li .route")).toHaveText([
    "lead-1 → worker-1", "worker-1 → lead-1", "worker-1 → lead-1", "lead-1 → worker-1",
  ]);
  await expect(log.locator('li[data-type="message_received"]')).toHaveCount(2);
  await expect(log.locator('li[data-type="run_completed"] .sum').last()).toContainText("lead-1 replied: Re: received");
  await expectNoKeys(page);
  expect(errors).toEqual([]);
});

test("the ambassadors: two mobs wired across, a request and its response, then a reset", async ({ page }) => {
  const errors = await openMobs(page, "url");
  await start(page, "Start north & south", 2);

  await expect(member(page, "north/ambassador-north").locator("td")).toHaveText([
    "ambassador-north", "north", "ambassador", "autonomous_host", "idle", "south/ambassador-south", "retire",
  ]);
  await expect(member(page, "south/ambassador-south").locator("td").nth(5)).toHaveText("north/ambassador-north");
  const graph = page.locator("#mob-graph");
  await expect(graph.locator(".mob")).toHaveCount(2);
  await expect(graph.locator('.edge.cross[data-edge="north/ambassador-north—south/ambassador-south"]')).toHaveCount(1);

  await sendTo(page, "north/ambassador-north", "Send a request to south/ambassador-south: will you trade grain?");
  await expect(lastAnswer(page)).toHaveText(
    /^I sent south\/ambassador-south a request \(\S+\): Will you trade grain\?$/,
  );
  // Reported in both mobs, listed once.
  await expect(page.locator("#mob-messages li .route")).toHaveText([
    "north/ambassador-north → south/ambassador-south",
    "south/ambassador-south → north/ambassador-north",
  ]);
  await expect(page.locator("#mob-messages li .kind")).toHaveText(["request", "response"]);
  await expect(page.locator("#mob-messages li.cross")).toHaveCount(2);

  await page.locator("#mob-log-member").selectOption("south/ambassador-south");
  await expect(page.locator('#mob-log li[data-type="message_received"] .sum')).toHaveText(
    /^from north\/ambassador-north · request · \d+ B$/,
  );
  await page.locator("#mob-log-member").selectOption("north/ambassador-north");
  await expect(page.locator('#mob-log li[data-type="interaction_complete"]')).toHaveCount(1);

  // The research team joins the same runtime: three mobs in the graph.
  await start(page, "Start research team", 4);
  await expect(graph.locator(".mob")).toHaveCount(3);
  await expect(graph.locator(".edge")).toHaveCount(2);
  await page.screenshot({ path: "test-results/demo-mobs-all.png" });

  // Reset: a fresh runtime, nothing listed, both teams can start again.
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#mob-members tbody tr[data-member]")).toHaveCount(0);
  await expect(page.locator("#mob-messages li")).toHaveCount(0);
  await expect(graph.locator(".node")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Start north & south" })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Start research team" })).toBeEnabled();

  // The Chat tab is still there, with its own runtime.
  await page.getByRole("tab", { name: "Chat" }).click();
  await expect(page.locator("#chat-view")).toBeVisible();
  await expect(page.locator("#mobs-view")).toBeHidden();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expectNoKeys(page);
  expect(errors).toEqual([]);
});

test("the example pack: the runtime comes from the signed .mobpack and runs the pack's mob", async ({ page }) => {
  const errors = await openMobs(page, "url");
  // The pack the Worker's runtime was made from (connectRuntime with { mobpack }).
  await expect(page.locator("#mob-pack")).toBeVisible();
  await expect(page.locator("#mob-pack")).toContainText("research-team 1.0.0 · signed by rkat-demo · digest ");
  await start(page, "Start the example pack", 2);

  // One member per profile of the pack, the orchestrator (lead) auto-wired to the worker.
  await expect(member(page, "pack/lead-1").locator("td")).toHaveText([
    "lead-1", "pack", "lead", "autonomous_host", "idle", "worker-1", "retire",
  ]);
  await expect(member(page, "pack/worker-1").locator("td").nth(2)).toHaveText("worker");
  await expect(page.locator('#mob-graph .edge[data-edge="lead-1—worker-1"]')).toHaveCount(1);

  // The pack's members talk like any others.
  await sendTo(page, "pack/lead-1", "Send a message to worker-1: collect the data.");
  const reply = page.locator("#mob-replies li").last();
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(reply.locator(".answer")).toHaveText("I sent worker-1 a message: Collect the data.");
  await expect(page.locator("#mob-messages li .route")).toHaveText(["lead-1 → worker-1", "worker-1 → lead-1"]);

  // lead-1's runs have the pack's skill: its profile names `research`, from the pack's skill source.
  await page.locator("#mob-log-member").selectOption("pack/lead-1");
  await expect(page.locator('#mob-log li[data-type="run_completed"]')).toHaveCount(2);
  await expect(page.locator('#mob-log li[data-type="skills_resolved"]').first()).toContainText("research");
  await expectNoKeys(page);
  expect(errors).toEqual([]);
});

test("the mob part and the pack part are fetched only when used: a chat loads neither, a pack both", async ({ page }) => {
  const fetched: string[] = [];
  // The context sees the Workers' requests too.
  page.context().on("request", (request) => fetched.push(new URL(request.url()).pathname));
  const lazy = () => ({
    mobPart: fetched.some((path) => /meerkat_web_runtime_mobs[^/]*\.wasm$/.test(path)),
    packPart: fetched.some((path) => /meerkat_web_runtime_pack[^/]*\.wasm$/.test(path)),
  });
  await openDemo(page);
  await sendAndWait(page, "Hello");
  expect(fetched.some((path) => /meerkat_web_runtime_bg[^/]*\.wasm$/.test(path))).toBe(true);
  expect(lazy()).toEqual({ mobPart: false, packPart: false });
  // The Mobs page's runtime is made from the example pack: the pack part comes, and the
  // mob part with it (initFromMobpack checks the pack's definition with the part's reader).
  await page.getByRole("tab", { name: "Mobs" }).click();
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
  expect(lazy()).toEqual({ mobPart: true, packPart: true });
  await start(page, "Start research team", 2);
  expect(lazy()).toEqual({ mobPart: true, packPart: true });
});

test("a phone-sized window (390×844): the Mobs page with both teams fits its width; wide tables scroll in their panel", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await openMobs(page, "url");
  await start(page, "Start research team", 2);
  await start(page, "Start north & south", 4);
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    cut: [...document.querySelectorAll<HTMLElement>("#mobs-view .panel")]
      .filter((panel) => panel.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((panel) => panel.getAttribute("aria-label") ?? panel.className),
  }));
  expect(widths).toEqual({ page: 390, cut: [] });
  // The members table keeps its columns: its panel scrolls sideways, not the page.
  await member(page, "south/ambassador-south").getByRole("button", { name: "retire" }).scrollIntoViewIfNeeded();
  await expect(member(page, "south/ambassador-south").getByRole("button", { name: "retire" })).toBeInViewport();
  expect(errors).toEqual([]);
});

test("retire and respawn: with every member retired there is no one to send to, and Send says so by being disabled", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  for (const key of ["research-team/worker-1", "research-team/lead-1"]) {
    await member(page, key).getByRole("button", { name: "retire" }).click();
    await expect(member(page, key).locator(".badge")).toHaveText("retired");
  }
  await expect(page.locator("#mob-send-to option")).toHaveCount(0);
  await expect(page.locator("#mob-send-button")).toBeDisabled();

  await member(page, "research-team/worker-1").getByRole("button", { name: "respawn" }).click();
  await expect(member(page, "research-team/worker-1").locator(".badge")).toHaveText("idle");
  await expect(page.locator("#mob-send-to option")).toHaveCount(1);
  await expect(page.locator("#mob-send-button")).toBeEnabled();
  await sendTo(page, "research-team/worker-1", "Hello again");
  await expect(lastAnswer(page)).toContainText("You said: Hello again");
  expect(errors).toEqual([]);
});

test("a member's row is kept while other members' events redraw the table (a click on its button is not lost); a graph node keeps the focus", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  // Mark lead-1's row node; worker-1's run below redraws the table many times.
  await member(page, "research-team/lead-1").evaluate((row) => (row.dataset.mark = "kept"));
  await sendTo(page, "research-team/worker-1", "Hello");
  await expect(lastAnswer(page)).toContainText("You said: Hello");
  await expect(member(page, "research-team/worker-1").locator(".badge")).toHaveText("idle");
  await expect(member(page, "research-team/lead-1")).toHaveAttribute("data-mark", "kept");
  // The graph is redrawn when what it shows changes (here: the selection), and
  // a node chosen with the keyboard keeps the focus.
  const lead = page.locator('#mob-graph .node[data-member="research-team/lead-1"]');
  await lead.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator('#mob-graph .node.selected[data-member="research-team/lead-1"]')).toBeFocused();
  // A row whose member changed is drawn afresh.
  await member(page, "research-team/lead-1").getByRole("button", { name: "retire" }).click();
  await expect(member(page, "research-team/lead-1").locator(".badge")).toHaveText("retired");
  await expect(member(page, "research-team/lead-1")).not.toHaveAttribute("data-mark", "kept");
  expect(errors).toEqual([]);
});

test("from the keyboard: retire and respawn hand the focus to their row's new button, not to the page's body", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  const worker = member(page, "research-team/worker-1");
  await worker.getByRole("button", { name: "retire" }).focus();
  await page.keyboard.press("Enter");
  await expect(worker).toHaveAttribute("data-status", "retired");
  await expect(worker.getByRole("button", { name: "respawn" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(worker.locator(".badge")).toHaveText("idle");
  await expect(worker.getByRole("button", { name: "retire" })).toBeFocused();
  expect(errors).toEqual([]);
});

test("from the keyboard: a member's row is one Tab stop, its name a button that selects the member (Enter, Space) and keeps the focus when the row is redrawn", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  const [lead, worker] = [member(page, "research-team/lead-1"), member(page, "research-team/worker-1")];
  const leadName = lead.getByRole("button", { name: "lead-1 (research-team)", exact: true });
  const workerName = worker.getByRole("button", { name: "worker-1 (research-team)", exact: true });
  // From the graph's last node, Tab goes along the rows: name, retire, next name.
  await page.locator('#mob-graph .node[data-member="research-team/worker-1"]').focus();
  await page.keyboard.press("Tab");
  await expect(leadName).toBeFocused();
  await expect(leadName).toHaveCSS("outline-style", "solid");
  await page.keyboard.press("Tab");
  await expect(lead.getByRole("button", { name: "retire" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(workerName).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(worker).toHaveClass(/selected/);
  await expect(workerName).toHaveAttribute("aria-current", "true");
  await expect(page.locator("#mob-log-member")).toHaveValue("research-team/worker-1");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  await expect(leadName).toBeFocused();
  await page.keyboard.press(" ");
  await expect(lead).toHaveClass(/selected/);
  await expect(leadName).toHaveAttribute("aria-current", "true");
  await expect(workerName).not.toHaveAttribute("aria-current", "true");
  await expect(page.locator("#mob-log-member")).toHaveValue("research-team/lead-1");
  // lead-1 runs (sent without moving the focus): its row is redrawn, and its name button keeps the focus.
  await lead.evaluate((row) => (row.dataset.mark = "old"));
  await page.evaluate(() => {
    (document.getElementById("mob-send-to") as HTMLSelectElement).value = "research-team/lead-1";
    (document.getElementById("mob-send-text") as HTMLTextAreaElement).value = "Hello";
    (document.getElementById("mob-send") as HTMLFormElement).requestSubmit();
  });
  await expect(lastAnswer(page)).toContainText("You said: Hello");
  await expect(lead.locator(".badge")).toHaveText("idle");
  await expect(lead).not.toHaveAttribute("data-mark", "old");
  await expect(leadName).toBeFocused();
  expect(errors).toEqual([]);
});

test("the wiring graph's member nodes are buttons a screen reader can reach (the graph is a group, not an image), their focus unlike their selection", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  const graph = page.getByRole("group", { name: /^Wiring: \d+ wire\(s\) between 2 member\(s\)$/ });
  const lead = graph.getByRole("button", { name: /^research-team\/lead-1 · lead · / });
  await expect(lead).toBeVisible();
  await lead.focus();
  await page.keyboard.press(" ");
  await expect(graph.getByRole("button", { name: /^research-team\/lead-1 / })).toHaveAttribute("aria-current", "true");
  // The focus looks unlike the selection: worker-1 focused, lead-1 selected.
  const stroke = (member: string) => graph.locator(`.node[data-member="research-team/${member}"] rect`);
  await page.keyboard.press("Tab");
  await expect(graph.getByRole("button", { name: /^research-team\/worker-1 / })).toBeFocused();
  await expect(stroke("lead-1")).toHaveCSS("stroke", "rgb(59, 91, 219)");
  await expect(stroke("worker-1")).toHaveCSS("stroke", "rgb(29, 35, 48)");
  await expect(page.locator("#mob-log-member")).toHaveValue("research-team/lead-1");
  expect(errors).toEqual([]);
});

test("Apply & reconnect with another provider: the Mobs page restarts on it, and its teams start and answer", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await expect(page.locator("#mobs-status-text")).toContainText("claude-sonnet-4-6");
  await page.getByRole("tab", { name: "Chat" }).click();
  await page.locator("#provider").selectOption("gemini");
  await page.getByRole("button", { name: "Apply & reconnect" }).click();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#status-text")).toContainText("gemini-2.5-flash");

  await page.getByRole("tab", { name: "Mobs" }).click();
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#mobs-status-text")).toContainText("gemini-2.5-flash");
  await start(page, "Start research team", 2);
  await sendTo(page, "research-team/lead-1", "Hello lead");
  await expect(lastAnswer(page)).toContainText("You said: Hello lead");
  expect(errors).toEqual([]);
});

test("a stalled flow: Run flow waits for it, Cancel flow ends it, then the flow runs again", async ({ page }) => {
  const errors = await openMobs(page, "url");
  await start(page, "Start research team", 2);
  const runFlow = page.getByRole("button", { name: "Run flow" });
  const cancel = page.getByRole("button", { name: "Cancel flow" });
  await expect(cancel).toBeHidden();
  // The draft step's provider goes silent (`hang`): the flow would run until the step's time-out.
  await page.locator("#mob-flow-topic").fill("otters [[sim:hang]]");
  await runFlow.click();
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "running");
  await expect(runFlow).toBeDisabled();
  await cancel.click();
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "canceled");
  await expect(cancel).toBeHidden();
  await expect(runFlow).toBeEnabled();

  await page.locator("#mob-flow-topic").fill("otters");
  await runFlow.click();
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "completed");
  expect(errors).toEqual([]);
});

test("a member's stalled reply: its Stop ends the run (member.interrupt), and the member answers the next message", async ({ page }) => {
  const errors = await openMobs(page, "tab");
  await start(page, "Start research team", 2);
  await sendTo(page, "research-team/worker-1", "wait [[sim:hang]]");
  const stalled = page.locator("#mob-replies li").last();
  await expect(stalled).toHaveAttribute("data-state", "pending");
  await stalled.getByRole("button", { name: "Stop" }).click();
  await expect(stalled).toHaveAttribute("data-state", "interrupted");
  await expect(stalled.locator(".answer")).toContainText("(stopped)");
  await expect(stalled.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await sendTo(page, "research-team/worker-1", "Say hello.");
  const next = page.locator("#mob-replies li").last();
  await expect(next).toHaveAttribute("data-state", "done");
  await expect(next.getByRole("button", { name: "Stop" })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("from the keyboard: Run flow hands the focus to Cancel flow and back, a reply's Stop to the composer", async ({ page }) => {
  const errors = await openMobs(page, "url");
  await start(page, "Start research team", 2);
  const runFlow = page.getByRole("button", { name: "Run flow" });
  const cancel = page.getByRole("button", { name: "Cancel flow" });
  await page.locator("#mob-flow-topic").fill("otters [[sim:hang]]");
  await runFlow.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "running");
  await expect(cancel).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "canceled");
  await expect(runFlow).toBeFocused();

  await sendTo(page, "research-team/worker-1", "wait [[sim:hang]]");
  const stalled = page.locator("#mob-replies li").last();
  await expect(stalled).toHaveAttribute("data-state", "pending");
  await stalled.getByRole("button", { name: "Stop" }).focus();
  await page.keyboard.press("Enter");
  await expect(stalled).toHaveAttribute("data-state", "interrupted");
  await expect(page.locator("#mob-send-text")).toBeFocused();
  expect(errors).toEqual([]);
});

test("the composer's Send is disabled while the message is empty or blank; sent from the keyboard, the focus goes to the message", async ({ page }) => {
  const errors = await openMobs(page, "url");
  await start(page, "Start research team", 2);
  const text = page.locator("#mob-send-text");
  const sendButton = page.locator("#mob-send-button");
  await expect(sendButton).toBeEnabled(); // the example message
  await expectBlankComposerInert(text, sendButton, page.locator("#mob-replies li"), " \n ");
  await sendButton.focus();
  await page.keyboard.press("Enter");
  await expect(lastAnswer(page)).toContainText("You said: Hello");
  await expect(sendButton).toBeDisabled();
  await expect(text).toBeFocused();
  // An example fills the message: Send can be pressed again.
  await page.locator("#mob-examples button").first().click();
  await expect(sendButton).toBeEnabled();
  expect(errors).toEqual([]);
});

test("from the keyboard: a Start button hands the focus to the member picker its team filled, Reset to Start research team", async ({ page }) => {
  const errors = await openMobs(page, "url");
  const picker = page.locator("#mob-send-to");
  for (const [name, members] of [["Start research team", 2], ["Start north & south", 4]] as const) {
    const button = page.getByRole("button", { name });
    await button.focus();
    await page.keyboard.press("Enter");
    await expect(page.locator("#mob-members tbody tr[data-member]")).toHaveCount(members);
    await expect(button).toBeDisabled();
    await expect(picker).toBeFocused();
  }
  // Reset disables itself while the runtime restarts: Start research team takes the focus.
  await page.getByRole("button", { name: "Reset" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#mob-members tbody tr[data-member]")).toHaveCount(0);
  await expect(page.locator("#mobs-status")).toHaveAttribute("data-state", "ready");
  await expect(page.getByRole("button", { name: "Start research team" })).toBeFocused();
  expect(errors).toEqual([]);
});

test("a running flow's table keeps the rows of steps that did not change: a text selected in one stays selected", async ({ page, request }) => {
  const errors = await openMobs(page, "url");
  await start(page, "Start research team", 2);
  // The draft step's request is answered, the check step's stalls: the flow runs on with the draft done.
  await request.post(`${PROXY}/_sim/reset`);
  await request.post(`${PROXY}/_sim/script`, { data: ["", "hang"] });
  await page.getByRole("button", { name: "Run flow" }).click();
  const draft = page.locator('#mob-flow-steps tr[data-step="draft"]');
  const check = page.locator('#mob-flow-steps tr[data-step="check"]');
  await expect(draft).toHaveAttribute("data-status", "completed");
  await expect(check).toHaveAttribute("data-status", /^(dispatched|running)$/);
  // A visitor selects the draft's output to copy it.
  await draft.evaluate((row) => (row.dataset.mark = "kept"));
  await draft.locator(".output").evaluate((out) => getSelection()?.selectAllChildren(out));
  const selected = await page.evaluate(() => getSelection()?.toString() ?? "");
  expect(selected).toContain("Draft a note on otters.");
  // Cancel flow ends the check step: the table is refreshed, its row changes, the draft's does not.
  await page.getByRole("button", { name: "Cancel flow" }).dispatchEvent("click");
  await expect(page.locator("#mob-flow-state")).toHaveAttribute("data-status", "canceled");
  await expect(check).not.toHaveAttribute("data-status", /^(dispatched|running)$/);
  await expect(draft).toHaveAttribute("data-mark", "kept");
  expect(await page.evaluate(() => getSelection()?.toString())).toBe(selected);
  expect(errors).toEqual([]);
});
