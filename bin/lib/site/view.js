// The page's DOM: the pack header, the settings form, the members table,
// the chat and one event log per member. No framework: plain elements.

const $ = (selector) => document.querySelector(selector);

/** Lines kept per member log, and characters per line. */
export const LOG_LINES = 500;
export const TEXT_CHARS = 2000;

/** `text` cut to TEXT_CHARS characters, marked with "…". */
const clip = (text) => (text.length <= TEXT_CHARS ? text : `${text.slice(0, TEXT_CHARS - 1)}…`);

/** Make `change` to a scrolled `list`; if it was at its end, it stays there (scrolled up to read, it stays put). */
function following(list, change) {
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
  change();
  if (atEnd) list.scrollTop = list.scrollHeight;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

/** One line of a member's log for an event (text deltas are joined by `appendEvents`). */
export function describeEvent(event) {
  switch (event.type) {
    case "run_started": return `run started: ${event.prompt}`;
    case "run_completed": return `run completed (${event.usage?.outputTokens ?? 0} output tokens)`;
    case "run_failed": return `run failed: ${event.error}`;
    case "turn_started": return `turn ${event.turnNumber}`;
    case "turn_completed": return `turn completed: ${event.stopReason}`;
    case "tool_call_requested": return `tool call ${event.name} ${JSON.stringify(event.args)}`;
    case "tool_result_received": return `tool result ${event.name}${event.isError ? " (error)" : ""}`;
    case "message_received": return `message from ${event.from} (${event.kind})`;
    case "retrying": return `retrying (${event.attempt}/${event.maxAttempts}): ${event.error}`;
    default: return event.type;
  }
}

export class View {
  /** Show what the site says of the pack; `verified` once the runtime has read it itself. */
  showPack(pack, verified) {
    document.title = `${pack.name} ${pack.version}`;
    $("[data-testid=pack-name]").textContent = pack.name;
    $("[data-testid=pack-version]").textContent = pack.version;
    $("[data-testid=pack-description]").textContent = pack.description ?? "";
    $("[data-testid=pack-digest]").textContent = pack.digest;
    const signer = pack.signerId === null ? "unsigned" : pack.signerId;
    const how = verified ? `verified by the runtime (${pack.policy} policy)` : "not checked yet";
    $("[data-testid=pack-signer]").textContent = `${signer} · ${how}`;
  }

  setStatus(state, text) {
    const status = $("[data-testid=status]");
    status.dataset.state = state;
    status.textContent = text;
  }

  /** Fill the base URL fields and call `start(urls)` on submit (also to restart a running mob with new URLs). */
  settings(defaults, start) {
    const form = $("#settings");
    for (const [name, url] of Object.entries(defaults)) form.elements[name].value = url;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      start(Object.fromEntries(Object.keys(defaults).map((name) => [name, form.elements[name].value.trim()])));
    });
  }

  /** Some base URLs were pre-filled by the page's address (a link someone sent): check them before starting. */
  noteUrlsFromAddress(names) {
    const note = element("p", { "data-testid": "url-note", class: "note" }, `The ${names.join(", ")} base URL(s) came from this page's address: your messages go there, so check them before you start.`);
    $("#settings fieldset").append(note);
  }

  /** The form may start again: after a failure (focus on it, to retry), or to restart a `running` mob with other URLs. */
  allowStart(running) {
    const button = $("[data-testid=start]");
    button.disabled = false;
    button.textContent = running ? "Restart with these URLs" : "Start the mob";
    if (!running) button.focus();
  }

  /** Call `send(to, text)` for each message; Send is enabled only when there is text and a mob to send it to. */
  onSend(send) {
    const form = $("#send");
    const { text } = form.elements;
    const button = form.querySelector("button");
    text.addEventListener("input", () => (button.disabled = text.disabled || text.value.trim() === ""));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const message = text.value.trim();
      if (message === "" || text.disabled) return;
      text.value = "";
      button.disabled = true;
      send(form.elements.to.value, message);
    });
  }

  /** A new mob replaces the old: its members and events go, the chat says so, Send waits for the new mob. */
  reset(note) {
    $("[data-testid=members] tbody").replaceChildren();
    $("#logs").replaceChildren();
    const form = $("#send");
    form.elements.to.disabled = form.elements.text.disabled = form.querySelector("button").disabled = true;
    $("#chat").append(element("li", { class: "note" }, note));
  }

  renderMembers(members) {
    const body = $("[data-testid=members] tbody");
    body.replaceChildren(
      ...members.map((m) => {
        const row = element("tr", { "data-member": m.agentIdentity });
        row.append(element("td", {}, m.agentIdentity), element("td", {}, m.role), element("td", {}, m.status), element("td", {}, m.wiredTo.join(", ")));
        return row;
      }),
    );
  }

  /** The chat's recipients, the orchestrator first and chosen; the message field gets the focus. */
  chat(ids) {
    const form = $("#send");
    const { to, text } = form.elements;
    to.replaceChildren(...ids.map((id, i) => element("option", { value: id }, i === 0 ? `${id} (orchestrator)` : id)));
    to.disabled = text.disabled = false;
    form.querySelector("button").disabled = text.value.trim() === "";
    text.focus();
  }

  /** A chat exchange: your line now, the answer's line once it comes; its Stop button calls `stop()` until then. */
  addExchange(to, text, stop) {
    const list = $("#chat");
    list.append(element("li", { class: "you" }, `you → ${to}: ${text}`));
    const answer = element("li", { "data-testid": "chat-reply", "data-state": "waiting", "data-member": to }, `${to}: … `);
    const button = element("button", { type: "button", "aria-label": `Stop ${to}'s turn` }, "Stop");
    button.addEventListener("click", () => {
      // The button goes with the reply: focus back to the message field, not lost.
      const { text } = $("#send").elements;
      if (!text.disabled) text.focus();
      button.disabled = true;
      stop();
    });
    answer.append(button);
    list.append(answer);
    list.scrollTop = list.scrollHeight; // what was just sent is in view
    return {
      done(reply) {
        following(list, () => {
          answer.dataset.state = "done";
          answer.textContent = `${to}: ${reply}`;
        });
      },
      fail(message) {
        following(list, () => {
          answer.dataset.state = "failed";
          answer.className = "failed";
          answer.textContent = `${to}: failed: ${message}`;
        });
      },
    };
  }

  /**
   * Add events to a member's log (made on first use); consecutive text deltas
   * form one line. A long session stays light: a log keeps its newest
   * LOG_LINES lines and a line its first TEXT_CHARS characters (the
   * whole reply is in the chat). It follows new lines unless scrolled up.
   */
  appendEvents(member, events) {
    const list = this.log(member);
    following(list, () => this.#append(list, events));
  }

  #append(list, events) {
    for (const event of events) {
      const last = list.lastElementChild;
      if (event.type === "text_delta" && last?.dataset.type === "text_delta") {
        if (last.textContent.length < TEXT_CHARS) last.textContent = clip(last.textContent + event.delta);
        continue;
      }
      const text = clip(event.type === "text_delta" ? `text: ${event.delta}` : describeEvent(event));
      list.append(element("li", { "data-type": event.type }, text));
    }
    while (list.childElementCount > LOG_LINES) list.firstElementChild.remove();
  }

  log(member) {
    const found = document.querySelector(`#logs section[data-member="${CSS.escape(member)}"] ol`);
    if (found) return found;
    const section = element("section", { "data-member": member, "data-testid": "member-log" });
    const list = element("ol");
    section.append(element("h3", {}, member), list);
    $("#logs").append(section);
    return list;
  }
}
