/**
 * The demo's pages as tabs of one document: `#chat` (default), `#mobs` and `#signin`.
 * Each page has its own main view and its own status pill in the top bar.
 *
 * The tab list follows the WAI-ARIA tabs pattern with manual activation:
 * Left/Right (wrapping), Home and End move the focus between the tabs;
 * Enter or Space shows the focused tab's page. Showing the Mobs or Sign-in
 * page starts its runtime Worker, so arrowing past a tab must not show it.
 * Only the selected tab is in the Tab order (`tabindex` 0, the others -1).
 */
export type Tab = "chat" | "mobs" | "signin";

const TABS: Record<Tab, { tab: string; view: string; status: string }> = {
  chat: { tab: "tab-chat", view: "chat-view", status: "status" },
  mobs: { tab: "tab-mobs", view: "mobs-view", status: "mobs-status" },
  signin: { tab: "tab-signin", view: "signin-view", status: "signin-status" },
};

function tabOf(hash: string): Tab {
  return hash === "#mobs" ? "mobs" : hash === "#signin" ? "signin" : "chat";
}

/** The tab elements, in the order they are shown. */
function tabElements(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[role="tablist"] [role="tab"]')];
}

/** Arrow keys, Home and End move the focus along the tab list; Enter (a link's own) and Space show the focused tab. */
function onTabKey(event: KeyboardEvent): void {
  const tabs = tabElements();
  const at = tabs.indexOf(event.target as HTMLElement);
  if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
  const to: Record<string, number> = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 };
  if (event.key in to) {
    event.preventDefault();
    tabs.at((to[event.key] as number) % tabs.length)?.focus();
  } else if (event.key === " ") {
    event.preventDefault(); // not a scroll of the page
    tabs[at]?.click();
  }
}

/** Show the tab the URL's hash names, now and whenever it changes; `onShow` hears each switch. */
export function setupTabs(onShow: (tab: Tab) => void): void {
  const show = () => {
    const current = tabOf(location.hash);
    for (const [name, ids] of Object.entries(TABS) as Array<[Tab, (typeof TABS)[Tab]]>) {
      const on = name === current;
      const tab = document.getElementById(ids.tab);
      tab?.setAttribute("aria-selected", String(on));
      tab?.setAttribute("tabindex", on ? "0" : "-1");
      const view = document.getElementById(ids.view);
      if (view) view.hidden = !on;
      const status = document.getElementById(ids.status);
      if (status) status.hidden = !on;
    }
    onShow(current);
  };
  document.querySelector('[role="tablist"]')?.addEventListener("keydown", (event) => onTabKey(event as KeyboardEvent));
  window.addEventListener("hashchange", show);
  show();
}
