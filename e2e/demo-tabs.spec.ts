/**
 * The demo's page tabs (Chat, Mobs, Sign-in) from the keyboard: the WAI-ARIA
 * tabs pattern with manual activation (arrows move, Enter or Space shows).
 */
import { expect, test, type Page } from "@playwright/test";
import { openDemo } from "./helpers.js";

const tab = (page: Page, name: string) => page.getByRole("tab", { name });

/** `selected` is the one tab selected and in the Tab order; its panel is shown, labelled by it. */
async function expectSelected(page: Page, selected: string): Promise<void> {
  for (const name of ["Chat", "Mobs", "Sign-in"]) {
    const on = name === selected;
    await expect(tab(page, name)).toHaveAttribute("aria-selected", String(on));
    await expect(tab(page, name)).toHaveAttribute("tabindex", on ? "0" : "-1");
  }
  const panel = page.getByRole("tabpanel");
  await expect(panel).toHaveCount(1);
  await expect(panel).toHaveAccessibleName(selected);
  await expect(panel).toHaveAttribute("id", (await tab(page, selected).getAttribute("aria-controls")) ?? "");
}

test("the page tabs from the keyboard: arrows, Home and End move the focus, Enter and Space show the page, one tab stop", async ({ page }) => {
  await openDemo(page);
  await expectSelected(page, "Chat");

  // Arrows move the focus only (manual activation: showing Mobs starts its Worker).
  await tab(page, "Chat").focus();
  await page.keyboard.press("ArrowRight");
  await expect(tab(page, "Mobs")).toBeFocused();
  await expectSelected(page, "Chat");
  await page.keyboard.press("ArrowRight");
  await expect(tab(page, "Sign-in")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(tab(page, "Chat")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(tab(page, "Sign-in")).toBeFocused();
  await page.keyboard.press("Home");
  await expect(tab(page, "Chat")).toBeFocused();
  await page.keyboard.press("End");
  await expect(tab(page, "Sign-in")).toBeFocused();

  // Space shows the focused tab's page; the focus stays on the tab.
  await page.keyboard.press(" ");
  await expectSelected(page, "Sign-in");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  await expect(tab(page, "Sign-in")).toBeFocused();

  // Enter too.
  await page.keyboard.press("Home");
  await page.keyboard.press("Enter");
  await expectSelected(page, "Chat");
  await expect(tab(page, "Chat")).toBeFocused();

  // The tab list is one stop in the Tab order: Tab leaves it for the page, Shift+Tab comes back to the selected tab.
  await page.keyboard.press("Tab");
  await expect(page.locator('[role="tab"]:focus')).toHaveCount(0);
  await page.keyboard.press("Shift+Tab");
  await expect(tab(page, "Chat")).toBeFocused();
});
