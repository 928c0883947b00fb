/** The few DOM helpers every demo page uses. */

/** The element with this id; a page missing it is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo page is missing #${id}`);
  return element as T;
}

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * Make `change` (which adds to `box`), then keep `box` scrolled to its end
 * if it was there before (within 40 px), or always with `force` (the
 * visitor just sent something). Measured at each change, not tracked from
 * scroll events, which arrive a frame late: a change in between would pull
 * a visitor who had just scrolled up back down.
 */
export function follow(box: HTMLElement, change: () => void, force = false): void {
  const atEnd = force || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  change();
  if (atEnd) box.scrollTop = box.scrollHeight;
}

/**
 * Keep a composer's Send disabled while its message is blank or `blocked()`
 * (a run in progress, no one to send to). Typing updates it; code that
 * changes the message or what `blocked` reads calls the returned function.
 * A Send that disables with the keyboard focus hands it to the message.
 */
export function sendWhenWritten(message: HTMLTextAreaElement, send: HTMLButtonElement, blocked: () => boolean): () => void {
  const update = () => {
    const focused = document.activeElement === send;
    send.disabled = blocked() || message.value.trim() === "";
    if (focused && send.disabled) message.focus();
  };
  message.addEventListener("input", update);
  update();
  return update;
}

/**
 * A control that disables or hides itself while it works drops the keyboard
 * focus to the page's body. Call this when it is pressed, before it does;
 * call what it returns when the work is done: the focus goes to `next` if
 * the control had it and nothing took it since.
 */
export function handFocus(from: HTMLElement): (next: HTMLElement) => void {
  const had = document.activeElement === from;
  return (next) => {
    if (had && document.activeElement === document.body) next.focus();
  };
}

/** The last call of `say` for each live region: a newer one drops an older one still waiting. */
const lastSay = new WeakMap<HTMLElement, object>();

/**
 * Put `text` in a live region (`role="alert"`, `"status"`) so that it is
 * read out even when it is the same as before: clearing and setting it in
 * one step changes nothing a screen reader hears. The region is emptied now
 * and given the text after a frame has been drawn without it (two animation
 * frames: the first one's callbacks run before that frame is drawn).
 */
export function say(region: HTMLElement, text: string): void {
  const call = {};
  lastSay.set(region, call);
  region.textContent = "";
  if (text === "") return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      if (lastSay.get(region) === call) region.textContent = text;
    }),
  );
}
