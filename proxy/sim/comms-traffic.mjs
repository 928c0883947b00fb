// Peer traffic as a mob member's model sees it: the runtime delivers peers'
// messages, requests, responses and notices as lines of a user message
//   [message from lead-1 (lead)]: <body>
//   [request req-3 from lead-1 (lead)]: <body>      (maybe a last line "(intent: <intent>)")
//   [response to req-3 from worker-1 (worker)]: <body>
//   [notice]: <text>
// possibly followed by the host's own prompt. This module only reads them;
// comms.mjs decides the replies.

/**
 * @typedef {object} TrafficItem one delivered message, request, response or notice
 * @property {'message' | 'request' | 'response' | 'notice'} kind
 * @property {string} from the sender's name ("worker-1", "north/ambassador-north"); '' for a notice
 * @property {string} role the sender's role in parentheses; '' when absent
 * @property {string} id a request's own id, or the id a response answers; '' otherwise
 * @property {string} body the text after "]: " plus its continuation lines, trimmed
 * @property {string} [intent] a request's "(intent: ...)" line
 *
 * @typedef {object} Traffic
 * @property {TrafficItem[]} items in the order they were delivered
 * @property {string} hostText every line outside the traffic paragraphs (the host's prompt), trimmed
 */

/** `[message from NAME (ROLE)]:`, `[request ID from NAME (ROLE)]:`, `[response to ID from NAME (ROLE)]:`. */
const HEADER = /^\[(?:(message)|(request)\s+(\S+)|(response)\s+to\s+(\S+))\s+from\s+([^\s()\]]+)(?:\s+\(([^)]*)\))?\]:[ \t]*(.*)$/iu;
/** `[notice]: text` */
const NOTICE = /^\[notice\]:[ \t]*(.*)$/iu;
/** A request's last line naming its intent. */
const INTENT = /^\(intent:\s*([^)]*)\)\s*$/iu;

/**
 * The traffic item a line opens, if it is a header line.
 * @param {string} line
 * @returns {TrafficItem | undefined}
 */
function headerOf(line) {
  const notice = NOTICE.exec(line);
  if (notice) return { kind: 'notice', from: '', role: '', id: '', body: notice[1] ?? '' };
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const kind = m[1] ? 'message' : m[2] ? 'request' : 'response';
  return { kind, from: m[6] ?? '', role: (m[7] ?? '').trim(), id: m[3] ?? m[5] ?? '', body: m[8] ?? '' };
}

/**
 * Splits a user message into peer traffic and the host's text. A header line
 * opens an item; the lines after it (up to a blank line or the next header)
 * continue its body, except a request's "(intent: ...)" line. Everything
 * else is the host's text.
 * @param {string} text
 * @returns {Traffic}
 */
export function readTraffic(text) {
  /** @type {TrafficItem[]} */
  const items = [];
  /** @type {string[]} */
  const host = [];
  /** @type {TrafficItem | undefined} */
  let open;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    const item = headerOf(line);
    if (item) {
      items.push(item);
      open = item;
    } else if (line === '') {
      open = undefined;
      host.push(raw);
    } else if (open) {
      const intent = open.kind === 'request' ? INTENT.exec(line) : null;
      if (intent) open.intent = (intent[1] ?? '').trim();
      else open.body = open.body === '' ? line : `${open.body}\n${line}`;
    } else host.push(raw);
  }
  for (const item of items) item.body = item.body.trim();
  return { items, hostText: host.join('\n').trim() };
}

/**
 * Whether a message's body is itself a reply ("Re: ..."), which ends a
 * conversation instead of getting another reply.
 * @param {TrafficItem} item
 */
export function isReply(item) {
  return /^re:/iu.test(item.body);
}
