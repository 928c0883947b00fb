/**
 * The demo's pages as tabs of one document: `#chat` (default), `#mobs` and `#signin`.
 * Each page has its own main view and its own status pill in the top bar.
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

/** Show the tab the URL's hash names, now and whenever it changes; `onShow` hears each switch. */
export function setupTabs(onShow: (tab: Tab) => void): void {
  const show = () => {
    const current = tabOf(location.hash);
    for (const [name, ids] of Object.entries(TABS) as Array<[Tab, (typeof TABS)[Tab]]>) {
      const on = name === current;
      document.getElementById(ids.tab)?.setAttribute("aria-selected", String(on));
      const view = document.getElementById(ids.view);
      if (view) view.hidden = !on;
      const status = document.getElementById(ids.status);
      if (status) status.hidden = !on;
    }
    onShow(current);
  };
  window.addEventListener("hashchange", show);
  show();
}
