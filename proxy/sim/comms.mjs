// Mob comms: when a request offers the comms tools (peers, send_message,
// send_request, send_response), the simulated model talks to its peers the
// way a cooperative model would, deterministically:
// - a prompt that says to talk to a peer (comms-intent.mjs) sends it a message
//   or request, first looking the peer up with `peers {}` when the prompt does
//   not name one, then says what it sent;
// - peer traffic in the prompt (comms-traffic.mjs) gets one reply per request
//   (send_response) and per message that is not itself a reply ("Re: ..."),
//   then a short text; replies, responses and notices are only acknowledged,
//   so conversations between simulated members end.
// The state of a multi-step exchange is read back from the conversation: the
// tool calls made since the prompt and their results.
import { asString, clip } from './conversation.mjs';
import { readIntent, wordsOf } from './comms-intent.mjs';
import { isReply, readTraffic } from './comms-traffic.mjs';

/**
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 * @typedef {import('./comms-intent.mjs').CommsIntent} CommsIntent
 * @typedef {import('./comms-traffic.mjs').TrafficItem} TrafficItem
 * @typedef {SimMessage['toolUses'][number]} ToolUse
 * @typedef {SimMessage['toolResults'][number]} ToolResult
 *
 * @typedef {{ name: string, input: Record<string, unknown> }} CommsCall
 * @typedef {{ thought: string, calls: CommsCall[] } | { thought: string, text: string }} CommsPlan
 *   tool calls to make now, or the final text
 *
 * @typedef {object} Peer one entry of the peers tool's result
 * @property {string} name
 * @property {string} mob
 * @property {string} role
 * @property {string} description
 */

/** The comms tools, by their exact names. */
export const COMMS_TOOLS = Object.freeze(['peers', 'send_message', 'send_request', 'send_response']);

/** Target words too common to pick a peer by. */
const GENERIC = new Set(['the', 'a', 'an', 'our', 'my', 'your', 'their', 'his', 'its', 'some', 'any', 'each', 'every', 'of', 'peer', 'peers', 'member', 'agent', 'other']);

/** A tool result's text that reports a runtime error: "PEER_NOT_WIRED: ...", "Error: ...". */
const ERROR_TEXT = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|Error):/u;

/** Code points of a quoted peer body in replies and acknowledgements. */
const QUOTE = 60;

/**
 * A text with closing punctuation.
 * @param {string} text
 */
function sentence(text) {
  const t = text.trim().replace(/\s+/gu, ' ');
  return /[.!?…]$/u.test(t) ? t : `${t}.`;
}

/**
 * A peer's body on one line, clipped, without closing punctuation (to quote it).
 * @param {string} body
 */
function quote(body) {
  return clip(body.replace(/\s+/gu, ' ').trim(), QUOTE).replace(/[.!?]+$/u, '');
}

/** @param {string} noun */
const article = (noun) => (/^[aeiou]/iu.test(noun) ? 'an' : 'a');

/**
 * Whether a tool result reports a failure: flagged as an error, or (OpenAI
 * sends no flag) its text starts with an error code.
 * @param {ToolResult} result
 */
function failed(result) {
  return result.isError || ERROR_TEXT.test(result.text.trim());
}

/**
 * The result answering a call: by id, else (Gemini sends no ids back) by name.
 * @param {ToolUse} use
 * @param {ToolResult[]} results
 */
function resultOf(use, results) {
  return results.find((r) => r.toolUseId === use.id) ?? results.find((r) => r.name === use.name);
}

/**
 * The newest call of one of these tools.
 * @param {ToolUse[]} uses
 * @param {string[]} names
 */
function lastCall(uses, names) {
  return [...uses].reverse().find((u) => names.includes(u.name));
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The peers a peers result lists (entries without a name are skipped).
 * @param {string} text
 * @returns {Peer[]}
 */
function readPeers(text) {
  const value = parseJson(text);
  if (!Array.isArray(value)) return [];
  /** @type {(v: unknown) => string} */
  const str = (v) => (typeof v === 'string' ? v : '');
  return value
    .filter((p) => p !== null && typeof p === 'object' && typeof p.name === 'string' && p.name !== '')
    .map((p) => ({ name: p.name, mob: str(p.mob), role: str(p.role), description: str(p.description) }));
}

/**
 * The peer that best matches a target phrase: each word of the target (but
 * articles and words like "peer") scores 2 when it is a word of the peer's
 * name, mob or role and 1 when it is one of its description; the exact name
 * wins outright. Highest score first, the earlier peer on a tie; undefined
 * when no word is shared.
 * @param {Peer[]} peers
 * @param {string} target
 */
function matchPeer(peers, target) {
  const wanted = wordsOf(target).filter((w) => !GENERIC.has(w));
  let best;
  let bestScore = 0;
  for (const peer of peers) {
    const own = new Set(wordsOf(`${peer.name} ${peer.mob} ${peer.role}`));
    const described = new Set(wordsOf(peer.description));
    let score = peer.name.toLowerCase() === target.toLowerCase() ? 1000 : 0;
    for (const w of wanted) score += own.has(w) ? 2 : described.has(w) ? 1 : 0;
    if (score > bestScore) [best, bestScore] = [peer, score];
  }
  return best;
}

/**
 * Whether a target is a peer identity the model can address without a
 * lookup: one token holding a digit, `-`, `_` or `/` ("worker-1",
 * "north/ambassador-north"). Plain words and phrases are looked up.
 * @param {string} target
 */
function isIdentity(target) {
  return /^[^\s]+$/u.test(target) && /[\p{N}_/-]/u.test(target);
}

/**
 * The peers listed by the newest successful peers call among these messages.
 * @param {SimMessage[]} messages
 * @returns {Peer[]}
 */
function knownPeers(messages) {
  const uses = messages.flatMap((m) => m.toolUses).filter((u) => u.name === 'peers');
  const results = messages.flatMap((m) => m.toolResults);
  for (const use of [...uses].reverse()) {
    const result = resultOf(use, results);
    if (result && !failed(result)) return readPeers(result.text);
  }
  return [];
}

/**
 * @param {CommsIntent} intent
 * @param {string} to
 * @returns {CommsCall}
 */
function sendCall(intent, to) {
  return { name: intent.kind === 'request' ? 'send_request' : 'send_message', input: { to, body: intent.body } };
}

/**
 * The text after the send call's result: what was sent to whom, or why not.
 * @param {CommsIntent} intent
 * @param {ToolUse} send
 * @param {ToolResult} result
 */
function sentText(intent, send, result) {
  const input = /** @type {Record<string, unknown>} */ (send.input ?? {});
  const to = asString(input.to ?? '');
  const noun = send.name === 'send_request' && intent.kind !== 'request' ? 'request' : intent.noun;
  if (failed(result)) return `I could not send ${to} the ${noun}: ${sentence(result.text)}`;
  const reply = /** @type {Record<string, unknown> | undefined} */ (parseJson(result.text));
  const id = send.name === 'send_request' && typeof reply?.requestId === 'string' ? ` (${reply.requestId})` : '';
  return `I sent ${to} ${article(noun)} ${noun}${id}: ${sentence(asString(input.body ?? ''))}`;
}

/**
 * Rule 1: the prompt asks to talk to a peer.
 * @param {Set<string>} offered
 * @param {CommsIntent} intent
 * @param {SimMessage[]} before messages before the prompt
 * @param {ToolUse[]} uses calls made since the prompt
 * @param {ToolResult[]} results their results
 * @returns {CommsPlan | undefined}
 */
function outgoing(offered, intent, before, uses, results) {
  const tool = sendCall(intent, '').name;
  const send = lastCall(uses, ['send_message', 'send_request']);
  if (send) {
    const result = resultOf(send, results);
    return result ? { thought: `The ${intent.noun} went out; I will say so.`, text: sentText(intent, send, result) } : undefined;
  }
  if (!offered.has(tool)) return undefined;
  const lookup = lastCall(uses, ['peers']);
  if (lookup) {
    const result = resultOf(lookup, results);
    if (!result) return undefined;
    if (failed(result)) return { thought: 'The peers lookup failed.', text: `I could not list my peers: ${sentence(result.text)}` };
    const peers = readPeers(result.text);
    const peer = matchPeer(peers, intent.target) ?? peers[0];
    if (!peer) return { thought: 'Nobody is listed.', text: `I have no peers to send the ${intent.noun} to.` };
    return { thought: `${peer.name} fits "${intent.target || 'any peer'}"; I will send the ${intent.noun}.`, calls: [sendCall(intent, peer.name)] };
  }
  const known = intent.target === '' ? undefined : matchPeer(knownPeers(before), intent.target);
  if (isIdentity(intent.target) || known) {
    const to = isIdentity(intent.target) ? intent.target : /** @type {Peer} */ (known).name;
    return { thought: `I will send ${to} the ${intent.noun}.`, calls: [sendCall(intent, to)] };
  }
  if (offered.has('peers')) return { thought: `I must find out who "${intent.target || 'a peer'}" is first.`, calls: [{ name: 'peers', input: {} }] };
  if (/^\S+$/u.test(intent.target)) return { thought: `I will send ${intent.target} the ${intent.noun}.`, calls: [sendCall(intent, intent.target)] };
  return undefined;
}

/**
 * The call that replies to a traffic item, or undefined when it needs none
 * (a "Re:" message, a response, a notice) or its tool is not offered.
 * @param {TrafficItem} item
 * @param {Set<string>} offered
 * @returns {CommsCall | undefined}
 */
function replyCall(item, offered) {
  if (item.kind === 'request' && offered.has('send_response')) {
    return { name: 'send_response', input: { to: item.from, requestId: item.id, body: `Answer to "${quote(item.body)}": done.` } };
  }
  if (item.kind === 'message' && !isReply(item) && offered.has('send_message')) {
    return { name: 'send_message', input: { to: item.from, body: `Re: received "${quote(item.body)}", thanks.` } };
  }
  return undefined;
}

/**
 * One sentence about a traffic item that got no reply.
 * @param {TrafficItem} item
 */
function acknowledgement(item) {
  const said = sentence(quote(item.body));
  switch (item.kind) {
    case 'notice': return `Noted the notice: ${said}`;
    case 'response': return `${item.from} answered ${item.id}: ${said}`;
    case 'request': return `${item.from} asked (${item.id}): ${said}`;
    default: return `${item.from} ${isReply(item) ? 'replied' : 'said'}: ${said}`;
  }
}

/**
 * One sentence about a reply that was sent (or failed).
 * @param {TrafficItem} item
 * @param {ToolResult | undefined} result
 */
function replied(item, result) {
  const what = item.kind === 'request' ? `answer ${item.from}'s request ${item.id}` : `reply to ${item.from}`;
  if (!result) return `I did not ${what}.`;
  if (failed(result)) return `I could not ${what}: ${sentence(result.text)}`;
  return item.kind === 'request' ? `I answered ${item.from}'s request ${item.id}.` : `I replied to ${item.from}.`;
}

/**
 * Rule 2: peer traffic arrived.
 * @param {SimConversation} conv
 * @param {Set<string>} offered
 * @param {TrafficItem[]} items
 * @param {ToolUse[]} uses calls made since the prompt
 * @param {ToolResult[]} results their results
 * @returns {CommsPlan}
 */
function incoming(conv, offered, items, uses, results) {
  const replies = items.map((item) => ({ item, call: replyCall(item, offered) }));
  if (uses.length === 0) {
    const due = replies.flatMap(({ call }) => (call ? [call] : []));
    if (due.length > 0) {
      const calls = conv.parallelTools ? due : due.slice(0, 1);
      return { thought: `Peers wrote to me; I will answer ${calls.map((c) => c.input.to).join(' and ')}.`, calls };
    }
    return { thought: 'Peers wrote to me; nothing needs an answer.', text: items.map(acknowledgement).join(' ') };
  }
  // Pair each reply with the call that made it, in order.
  const open = [...uses];
  const text = replies.map(({ item, call }) => {
    if (!call) return acknowledgement(item);
    const k = open.findIndex((u) => {
      const input = /** @type {Record<string, unknown>} */ (u.input ?? {});
      return u.name === call.name && input.to === item.from && (item.kind !== 'request' || input.requestId === item.id);
    });
    const use = k >= 0 ? open.splice(k, 1)[0] : undefined;
    return use ? replied(item, resultOf(use, results)) : '';
  });
  return { thought: 'My replies went out.', text: text.filter(Boolean).join(' ') || items.map(acknowledgement).join(' ') };
}

/**
 * What the model does with comms, or undefined when the usual rules apply:
 * no comms tool offered, a forced or disabled tool choice, no intent to talk
 * to a peer and no peer traffic in the prompt (the last user message with
 * text), or calls of other tools since it. Peer traffic never makes an
 * intent: only the host's text around it can ("tell X" inside a peer's body
 * is not an order). When the host's text holds an intent, it wins over the
 * traffic.
 * @param {SimConversation} conv
 * @returns {CommsPlan | undefined}
 */
export function planComms(conv) {
  if (conv.toolChoice !== 'auto' && conv.toolChoice !== 'any') return undefined;
  const offered = new Set(conv.tools.map((t) => t.name).filter((n) => COMMS_TOOLS.includes(n)));
  if (offered.size === 0) return undefined;
  const { messages } = conv;
  if (messages[messages.length - 1]?.role !== 'user') return undefined;
  let p = messages.length - 1;
  while (p >= 0 && !(messages[p]?.role === 'user' && messages[p]?.text.trim() !== '')) p -= 1;
  const prompt = messages[p];
  if (!prompt) return undefined;
  const since = messages.slice(p + 1);
  const uses = since.flatMap((m) => m.toolUses);
  if (uses.some((u) => !COMMS_TOOLS.includes(u.name))) return undefined;
  const results = since.flatMap((m) => m.toolResults);
  const { items, hostText } = readTraffic(prompt.text);
  const avoid = new Set(conv.tools.filter((t) => !COMMS_TOOLS.includes(t.name)).flatMap((t) => wordsOf(t.name.replace(/[_-]+/gu, ' '))));
  const intent = readIntent(hostText, avoid);
  if (intent) return outgoing(offered, intent, messages.slice(0, p), uses, results);
  if (items.length > 0) return incoming(conv, offered, items, uses, results);
  return undefined;
}
