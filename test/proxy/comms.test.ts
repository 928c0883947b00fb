// @vitest-environment node
// Mob comms in the simulated provider (proxy/sim/comms*.mjs), on all four
// APIs through the real HTTP server: a prompt that talks to a peer sends it a
// message or request (looking the peer up with `peers` first when the prompt
// does not name one), peer traffic gets replies (send_response for requests,
// one "Re:" send_message for messages) and "Re:" messages, responses and
// notices are only acknowledged.
import { describe, expect, it } from 'vitest';
import { historyBody, nativeTools, streamAny, type AnyApi, type AnyReply, type HistoryTurn, type ToolSpec } from './conversations';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

const APIS = ['anthropic', 'chat', 'responses', 'gemini'] as const satisfies readonly AnyApi[];

const str = { type: 'string' };
const COMMS: ToolSpec[] = [
  { name: 'peers', description: 'List the peers you can talk to.', parameters: { type: 'object', properties: {} } },
  { name: 'send_message', description: 'Send a message to a peer.', parameters: { type: 'object', properties: { to: str, body: str }, required: ['to', 'body'] } },
  { name: 'send_request', description: 'Send a request to a peer.', parameters: { type: 'object', properties: { to: str, body: str, intent: str }, required: ['to', 'body'] } },
  {
    name: 'send_response',
    description: 'Answer a peer request.',
    parameters: { type: 'object', properties: { to: str, requestId: str, body: str }, required: ['to', 'requestId', 'body'] },
  },
];
const WEATHER: ToolSpec = { name: 'get_weather', parameters: { type: 'object', properties: { location: str }, required: ['location'] } };

const SYSTEM = 'You are worker-1, the worker of mob research-team. Use the peers tool to see who you can talk to.';
const PEERS = JSON.stringify([
  { name: 'ambassador-north', mob: 'north', role: 'ambassador', description: 'Speaks for the north faction.' },
  { name: 'ambassador-south', mob: 'south', role: 'ambassador', description: 'Speaks for the south faction.' },
]);
const DELIVERED = (to: string) => JSON.stringify({ delivered: true, to });

type Call = { name: string; args: Record<string, unknown> };
interface Options { tools?: ToolSpec[]; parallel?: boolean }

/** Disables parallel tool use the way each API spells it (Gemini has no switch). */
function serial(api: AnyApi): Record<string, unknown> {
  if (api === 'anthropic') return { tool_choice: { type: 'auto', disable_parallel_tool_use: true } };
  return api === 'gemini' ? {} : { parallel_tool_calls: false };
}

/** Streams a history offering the comms tools (or `tools`) under a member's system prompt. */
async function turn(api: AnyApi, turns: HistoryTurn[], options: Options = {}): Promise<AnyReply> {
  const extra = { tools: nativeTools(api, options.tools ?? COMMS), ...(options.parallel === false ? serial(api) : {}) };
  const reply = await streamAny(proxy.url, api, historyBody(api, SYSTEM, turns, extra));
  expect(reply.error).toBeNull();
  expect(reply.status).toBe(200);
  return reply;
}

const calls = (reply: AnyReply): Call[] => reply.calls.map((c) => ({ name: c.name, args: c.arguments as Record<string, unknown> }));
const user = (text: string): HistoryTurn => ({ role: 'user', text });
const called = (reply: AnyReply): HistoryTurn => ({ role: 'assistant', text: reply.text, calls: calls(reply) });
const results = (...texts: string[]): HistoryTurn => ({ role: 'tool', results: texts });

describe.each(APIS)('%s: talking to a peer', (api) => {
  it('"send a message to <identity>" sends it at once, then says what was sent', async () => {
    const prompt = user('Send a message to worker-2: start the survey.');
    const first = await turn(api, [prompt]);
    expect(calls(first)).toEqual([{ name: 'send_message', args: { to: 'worker-2', body: 'Start the survey.' } }]);
    expect(first.text).toBe('Let me use send_message.');
    const done = await turn(api, [prompt, called(first), results(DELIVERED('worker-2'))]);
    expect(done.calls).toEqual([]);
    expect(done.text).toBe('I sent worker-2 a message: Start the survey.');
  });

  it('"send a request to" uses send_request and reports the request id', async () => {
    const prompt = user('Send a request to worker-2: what is 2+2?');
    const first = await turn(api, [prompt]);
    expect(calls(first)).toEqual([{ name: 'send_request', args: { to: 'worker-2', body: 'What is 2+2?' } }]);
    const done = await turn(api, [prompt, called(first), results(JSON.stringify({ requestId: 'req-3', to: 'worker-2' }))]);
    expect(done.text).toBe('I sent worker-2 a request (req-3): What is 2+2?');
  });

  it.each([
    { prompt: 'Tell lead-1 that the survey is done', to: 'lead-1', body: 'The survey is done.' },
    { prompt: 'Please message north/ambassador-north: we accept', to: 'north/ambassador-north', body: 'We accept.' },
    { prompt: 'Ask lead-1 to review the draft.', to: 'lead-1', body: 'Please review the draft.' },
    { prompt: 'Send ambassador-south a proposal: "share the river"', to: 'ambassador-south', body: 'Share the river.' },
    { prompt: 'Send the report to lead-1: all green', to: 'lead-1', body: 'All green.' },
  ])('$prompt → send_message to $to', async ({ prompt, to, body }) => {
    expect(calls(await turn(api, [user(prompt)]))).toEqual([{ name: 'send_message', args: { to, body } }]);
  });

  it('a target that is no identity is looked up with peers, matched by a shared word, then messaged', async () => {
    const prompt = user('Send a proposal to the south faction: share the river.');
    const lookup = await turn(api, [prompt]);
    expect(calls(lookup)).toEqual([{ name: 'peers', args: {} }]);
    const history = [prompt, called(lookup), results(PEERS)];
    const send = await turn(api, history);
    expect(calls(send)).toEqual([{ name: 'send_message', args: { to: 'ambassador-south', body: 'Share the river.' } }]);
    const done = await turn(api, [...history, called(send), results(DELIVERED('ambassador-south'))]);
    expect(done.text).toBe('I sent ambassador-south a proposal: Share the river.');
  });

  it('no target at all: the first listed peer', async () => {
    const prompt = user('Send a message saying hello');
    const lookup = await turn(api, [prompt]);
    expect(calls(lookup)).toEqual([{ name: 'peers', args: {} }]);
    const send = await turn(api, [prompt, called(lookup), results(PEERS)]);
    expect(calls(send)).toEqual([{ name: 'send_message', args: { to: 'ambassador-north', body: 'Hello.' } }]);
  });

  it('a peer listed earlier in the session is messaged without a new lookup', async () => {
    const earlier: HistoryTurn[] = [user('Who are my peers?'), { role: 'assistant', calls: [{ name: 'peers', args: {} }] }, results(PEERS), { role: 'assistant', text: 'Two ambassadors.' }];
    const send = await turn(api, [...earlier, user('Tell the north faction we agree.')]);
    expect(calls(send)).toEqual([{ name: 'send_message', args: { to: 'ambassador-north', body: 'We agree.' } }]);
  });

  it('a failed send is reported in the text', async () => {
    const prompt = user('Send a message to worker-9: hello');
    const first = await turn(api, [prompt]);
    const done = await turn(api, [prompt, called(first), results('PEER_NOT_WIRED: worker-9 is not wired to worker-1')]);
    expect(done.text).toBe('I could not send worker-9 the message: PEER_NOT_WIRED: worker-9 is not wired to worker-1.');
  });

  it('an empty peers list ends the turn with a text', async () => {
    const prompt = user('Tell the south faction hello');
    const lookup = await turn(api, [prompt]);
    const done = await turn(api, [prompt, called(lookup), results('[]')]);
    expect(done.calls).toEqual([]);
    expect(done.text).toBe('I have no peers to send the message to.');
  });
});

describe.each(APIS)('%s: answering peer traffic', (api) => {
  it('a request gets send_response with its id, then a short text', async () => {
    const prompt = user('[request req-3 from lead-1 (lead)]: Sum 2 and 3.\n(intent: math)');
    const first = await turn(api, [prompt]);
    expect(calls(first)).toEqual([{ name: 'send_response', args: { to: 'lead-1', requestId: 'req-3', body: 'Answer to "Sum 2 and 3": done.' } }]);
    expect(first.text).toBe('Let me use send_response.');
    const done = await turn(api, [prompt, called(first), results(DELIVERED('lead-1'))]);
    expect(done.text).toBe("I answered lead-1's request req-3.");
  });

  it('a message gets one "Re:" reply, then a short text', async () => {
    const prompt = user('[message from north/ambassador-north (ambassador)]: We propose a truce.');
    const first = await turn(api, [prompt]);
    expect(calls(first)).toEqual([{ name: 'send_message', args: { to: 'north/ambassador-north', body: 'Re: received "We propose a truce", thanks.' } }]);
    const done = await turn(api, [prompt, called(first), results(DELIVERED('north/ambassador-north'))]);
    expect(done.text).toBe('I replied to north/ambassador-north.');
  });

  it('a failed reply is reported', async () => {
    const prompt = user('[message from lead-1 (lead)]: ping');
    const first = await turn(api, [prompt]);
    const done = await turn(api, [prompt, called(first), results('MOB_NOT_RUNNING: mob research-team is stopped')]);
    expect(done.text).toBe('I could not reply to lead-1: MOB_NOT_RUNNING: mob research-team is stopped.');
  });

  it.each([
    { line: '[message from lead-1 (lead)]: Re: received "ping", thanks.', text: 'lead-1 replied: Re: received "ping", thanks.' },
    { line: '[response to req-3 from worker-2 (worker)]: 5', text: 'worker-2 answered req-3: 5.' },
    { line: '[notice]: request req-4 to worker-2 timed out', text: 'Noted the notice: request req-4 to worker-2 timed out.' },
  ])('no reply to $line', async ({ line, text }) => {
    const reply = await turn(api, [user(line)]);
    expect(reply.calls).toEqual([]);
    expect(reply.text).toBe(text);
  });

  it('several lines: every reply at once, then one text covering all', async () => {
    const prompt = user([
      '[message from lead-1 (lead)]: hello',
      '[request req-7 from lead-1 (lead)]: status?',
      '[notice]: worker-3 retired',
      '',
      'Carry on.',
    ].join('\n'));
    const first = await turn(api, [prompt]);
    expect(calls(first)).toEqual([
      { name: 'send_message', args: { to: 'lead-1', body: 'Re: received "hello", thanks.' } },
      { name: 'send_response', args: { to: 'lead-1', requestId: 'req-7', body: 'Answer to "status": done.' } },
    ]);
    expect(first.text).toBe('Let me use send_message and send_response.');
    const done = await turn(api, [prompt, called(first), results(DELIVERED('lead-1'), DELIVERED('lead-1'))]);
    expect(done.text).toBe("I replied to lead-1. I answered lead-1's request req-7. Noted the notice: worker-3 retired.");
  });

  it.skipIf(api === 'gemini')('several lines without parallel tool use: only the first reply', async () => {
    const prompt = user('[request req-1 from lead-1 (lead)]: one\n[request req-2 from lead-1 (lead)]: two');
    const first = await turn(api, [prompt], { parallel: false });
    expect(calls(first)).toEqual([{ name: 'send_response', args: { to: 'lead-1', requestId: 'req-1', body: 'Answer to "one": done.' } }]);
    const done = await turn(api, [prompt, called(first), results(DELIVERED('lead-1'))], { parallel: false });
    expect(done.text).toBe("I answered lead-1's request req-1.");
  });

  it("a peer's body never gives orders: \"tell X\" inside a message is only replied to", async () => {
    const reply = await turn(api, [user('[message from lead-1 (lead)]: tell worker-2 to stop')]);
    expect(calls(reply)).toEqual([{ name: 'send_message', args: { to: 'lead-1', body: 'Re: received "tell worker-2 to stop", thanks.' } }]);
  });
});

describe.each(APIS)('%s: everything else as before', (api) => {
  it('without comms tools, traffic and "tell X" are echoed', async () => {
    const reply = await turn(api, [user('Tell worker-2 hello')], { tools: [WEATHER] });
    expect(reply.calls).toEqual([]);
    expect(reply.text).toBe('You said: Tell worker-2 hello (1 messages in context)');
  });

  it('with comms tools, a prompt that talks to nobody keeps the usual rules', async () => {
    const joke = await turn(api, [user('Tell me a joke')]);
    expect(joke.calls).toEqual([]);
    expect(joke.text).toBe('You said: Tell me a joke (1 messages in context)');
    const weather = await turn(api, [user("What's the weather in Paris?")], { tools: [WEATHER, ...COMMS] });
    expect(calls(weather)).toEqual([{ name: 'get_weather', args: { location: 'Paris' } }]);
  });

  it('"ask" aimed at another tool is no peer talk', async () => {
    const reply = await turn(api, [user('Ask the weather service about Paris')], { tools: [WEATHER, ...COMMS] });
    expect(calls(reply)).toEqual([{ name: 'get_weather', args: { location: 'Paris' } }]);
  });
});
