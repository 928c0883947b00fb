// What a prompt asks a mob member to say to a peer: "send a message to
// worker-1: start", "tell the south faction we propose peace", "ask lead-1 to
// review", "send a request to worker-2: sum 2+2". Read as a kind (message or
// request), a target (a peer's name, a phrase describing one, or nothing)
// and a short body, so comms.mjs can call the comms tools. The grammar is
// small on purpose: a test author can predict the call from the prompt.

/**
 * @typedef {object} CommsIntent
 * @property {'message' | 'request'} kind request → send_request, message → send_message
 * @property {string} noun what the prompt calls the thing sent ("message", "request", "proposal")
 * @property {string} target a peer's name ("worker-1"), a phrase ("the south faction"), or '' when none is named
 * @property {string} body one sentence for the peer
 */

/** The verbs that open an intent, as whole words, any case. */
const VERB = /(?<![\p{L}\p{N}_-])(send|tell|message|ask)(?![\p{L}\p{N}_-])/giu;
/** "a message", "a short request", "one note", "a proposal", "the report" right after "send". */
const SEND_NOUN = /^\s+(?:(a|an|one|the|this|that|my|our)\s+)?(?:(?:short|quick|brief|new|formal)\s+)?([\p{L}\p{N}-]+)/iu;
/** Nouns "send" takes without an article ("send message to X"), and the only ones it takes without "to X". */
const PLAIN_NOUNS = new Set(['message', 'request', 'note']);
/** " to " after that noun. */
const TO = /^\s+to(?![\p{L}\p{N}_-])/iu;
/** "a proposal" after "send <target>". */
const ARTICLE_NOUN = /^\s+(?:a|an)\s+([\p{L}\p{N}-]+)/iu;
/** A name token: letters and digits, with `-`, `_`, `.` and one `/` inside ("north/ambassador-north"). */
const TOKEN = /^\s*([\p{L}\p{N}][\p{L}\p{N}_.-]*(?:\/[\p{L}\p{N}][\p{L}\p{N}_.-]*)?)/u;
/** A word following a determiner. */
const NEXT_WORD = /^\s+([\p{L}\p{N}][\p{L}\p{N}_/-]*)/u;

/** "tell me ...": the user wants an answer, not a peer's attention. */
const SELF = new Set(['me', 'us', 'myself', 'ourselves', 'you', 'yourself', 'yourselves']);
/** Targets that name nobody in particular: the peers list decides. */
const UNNAMED = new Set(['them', 'him', 'her', 'everyone', 'everybody', 'someone', 'somebody', 'anyone', 'anybody', 'others']);
/** Words that open a phrase describing a peer ("the south faction"). */
const DETERMINERS = new Set(['the', 'a', 'an', 'our', 'my', 'your', 'their', 'his', 'its', 'some', 'any', 'each', 'every']);
/** Words that end such a phrase (or, right after the verb, mean no target is named). */
const STOPPERS = new Set(`
  to that about whether if we i you they he she it us and or with please saying asking for how what when where why who
  which so this from in on at by of is are was be
`.split(/\s+/).filter(Boolean));
/** Words a phrase may hold at most after its determiner. */
const MAX_PHRASE_WORDS = 4;
/** Code points of a body at most. */
const MAX_BODY = 200;
/** A verb is a noun after these ("a message", "your ask"). */
const NOUN_MARKERS = new Set(['a', 'an', 'the', 'this', 'that', 'your', 'my', 'our', 'his', 'her', 'their', 'its', 'one', 'short', 'quick', 'brief', 'new']);

/**
 * @typedef {{ target: string, end: number }} TargetRead where the target ends in the text
 */

/**
 * Reads the target that starts at `at`: a name token, a determiner and up to
 * four words (stopping before a stopper word or punctuation), or '' for
 * "them"/"everyone"/...; undefined when the words there are no target
 * ("tell me", "ask about").
 * @param {string} text
 * @param {number} at
 * @returns {TargetRead | undefined}
 */
function readTarget(text, at) {
  const token = TOKEN.exec(text.slice(at));
  if (!token?.[1]) return undefined;
  const name = token[1].replace(/[._-]+$/u, '');
  const lower = name.toLowerCase();
  const end = at + token[0].length - (token[1].length - name.length);
  if (SELF.has(lower) || (STOPPERS.has(lower) && !DETERMINERS.has(lower))) return undefined;
  if (UNNAMED.has(lower)) return { target: '', end };
  if (!DETERMINERS.has(lower)) return { target: name, end };
  let phrase = name;
  let pos = end;
  for (let n = 0; n < MAX_PHRASE_WORDS; n += 1) {
    const next = NEXT_WORD.exec(text.slice(pos));
    if (!next?.[1] || STOPPERS.has(next[1].toLowerCase()) || DETERMINERS.has(next[1].toLowerCase())) break;
    phrase += ` ${next[1]}`;
    pos += next[0].length;
  }
  return phrase === name ? undefined : { target: phrase, end: pos };
}

/**
 * The first sentence of `rest`: up to a line break or a `.`, `!`, `?` or
 * `…` followed by a blank (so "2.5" stays whole), with its punctuation.
 * @param {string} rest
 */
function firstSentence(rest) {
  const line = rest.split(/\r\n|\n|\r/)[0] ?? '';
  const end = /[.!?…](?=\s|$)/u.exec(line);
  return end ? line.slice(0, end.index + 1) : line;
}

/**
 * The body for the peer: quoted text after the target ("..." or “...”),
 * else the rest of the sentence without a leading ":", ",", "-", "that",
 * "saying" or "to say"; "ask X to do Y" becomes "Please do Y."; a capital
 * first letter and closing punctuation ("?" for other questions) are added;
 * "Hello." when nothing is left.
 * @param {string} rest the text after the target (or the noun)
 * @param {string} verb
 */
function bodyOf(rest, verb) {
  const line = rest.replace(/^\s+/u, '').split(/\r\n|\n|\r/)[0] ?? '';
  const quoted = /"([^"]+)"|“([^”]+)”/u.exec(line);
  let body = (quoted?.[1] ?? quoted?.[2] ?? firstSentence(rest)).trim();
  body = body.replace(/^[\s:,;—–-]+/u, '').replace(/^(?:that|saying|to say|which says|that says)\s+/iu, '').trim();
  let close = '.';
  if (verb === 'ask') {
    if (/^to\s+/iu.test(body)) body = `please ${body.replace(/^to\s+/iu, '')}`;
    else close = '?';
  }
  if (body === '') return 'Hello.';
  body = body[0]?.toUpperCase() + body.slice(1);
  const points = Array.from(body);
  if (points.length > MAX_BODY) body = `${points.slice(0, MAX_BODY).join('').trimEnd()}…`;
  return /[.!?…]$/u.test(body) ? body : `${body}${close}`;
}

/**
 * The intent a verb at `at` (just after the verb) opens, if any.
 * @param {string} text
 * @param {string} verb lower-case
 * @param {number} at
 * @returns {CommsIntent | undefined}
 */
function intentAt(text, verb, at) {
  if (verb === 'send') {
    const sent = SEND_NOUN.exec(text.slice(at));
    const noun = sent?.[2]?.toLowerCase() ?? '';
    const after = at + (sent?.[0].length ?? 0);
    const to = TO.exec(text.slice(after));
    const kind = noun === 'request' ? 'request' : 'message';
    if (sent && (sent[1] || PLAIN_NOUNS.has(noun)) && to) {
      // "send a message to X ...", "send a proposal to X ..."
      const target = readTarget(text, after + to[0].length);
      return target ? { kind, noun, target: target.target, body: bodyOf(text.slice(target.end), verb) } : undefined;
    }
    // "send a message: ..." names nobody
    if (PLAIN_NOUNS.has(noun)) return { kind, noun, target: '', body: bodyOf(text.slice(after), verb) };
    // "send ambassador-south a proposal: ..."
    const target = readTarget(text, at);
    const thing = target ? ARTICLE_NOUN.exec(text.slice(target.end)) : null;
    if (!target || !thing?.[1]) return undefined;
    const thingNoun = thing[1].toLowerCase();
    const end = target.end + thing[0].length;
    return { kind: thingNoun === 'request' ? 'request' : 'message', noun: thingNoun, target: target.target, body: bodyOf(text.slice(end), verb) };
  }
  const target = readTarget(text, at);
  if (!target) return undefined;
  return { kind: 'message', noun: 'message', target: target.target, body: bodyOf(text.slice(target.end), verb) };
}

/**
 * Lower-case words of a text (letters and digits).
 * @param {string} text
 */
export function wordsOf(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * The first intent of the text to talk to a peer, or undefined. Recognised,
 * case-insensitively, at the first verb that reads as one:
 * - "send a message to X ...", "send a request to X ...", "send the report
 *   to X ..." (a noun after a, an, one, the, this, that, my or our, maybe
 *   with short, quick, brief, new or formal before it; "message", "request"
 *   and "note" need no article);
 * - "send a message ..." / "send a request ..." / "send a note ..." without
 *   "to X" (no target);
 * - "send X a <noun> ..." ("send ambassador-south a proposal: ...");
 * - "tell X ...", "message X ...", "ask X ..." ("message" after a/the/your...
 *   is a noun, not a verb).
 * Only "request" as the noun makes a request; everything else is a message.
 * X is a name token ("worker-1", "north/ambassador-north", "alice"), or a
 * determiner with up to four words ("the south faction"), or nobody in
 * particular ("them", "everyone": target ''). "tell me"/"ask you" and a verb
 * followed by a stopper ("ask about") are no intent, nor is a target that
 * shares a word with `avoid` (the other tools' names: "ask the calculator").
 * @param {string} text the host's prompt (peer traffic already removed)
 * @param {Set<string>} [avoid] lower-case words that never make a target
 * @returns {CommsIntent | undefined}
 */
export function readIntent(text, avoid = new Set()) {
  for (const match of text.matchAll(VERB)) {
    const verb = (match[1] ?? '').toLowerCase();
    const index = match.index ?? 0;
    const before = /([\p{L}]+)\s*$/u.exec(text.slice(0, index))?.[1]?.toLowerCase();
    if (verb === 'message' && before && NOUN_MARKERS.has(before)) continue;
    const intent = intentAt(text, verb, index + match[0].length);
    if (intent && !wordsOf(intent.target).some((w) => avoid.has(w))) return intent;
  }
  return undefined;
}
