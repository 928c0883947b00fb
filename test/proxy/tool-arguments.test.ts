// @vitest-environment node
// Tool-call arguments read from the prompt (proxy/sim/arguments.mjs), on all
// four APIs: places after in/for/at/to/from, arithmetic expressions, numbers
// within bounds, quoted or colon text, and never the name of an offered tool.
import { describe, expect, it } from 'vitest';
import { streamAny, toolsBody, type AnyApi, type ToolSpec } from './conversations';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

const APIS = ['anthropic', 'chat', 'responses', 'gemini'] as const satisfies readonly AnyApi[];

const object = (properties: Record<string, unknown>, required?: string[]) => ({ type: 'object', properties, ...(required ? { required } : {}) });
const tool = (name: string, properties: Record<string, unknown>, required?: string[], description?: string): ToolSpec => ({
  name, parameters: object(properties, required), ...(description ? { description } : {}),
});

const WEATHER = tool('get_weather', { location: { type: 'string', description: 'City name, e.g. Paris' } }, ['location']);
const FORECAST = tool('forecast', { q: { type: 'string', description: 'The location to look up' } });
const FLIGHTS = tool('book_flight', { origin: { type: 'string' }, destination: { type: 'string' } });
const CALCULATOR = tool('calculator', { expression: { type: 'string' } });
const EVALUATE = tool('evaluate', { input: { type: 'string', description: 'An arithmetic expression such as 1 + 1' } });
const DICE = tool('roll_dice', { sides: { type: 'integer', minimum: 2, maximum: 100 } });
const CONVERT = tool('convert_units', { amount: { type: 'number' }, unit: { type: 'string', enum: ['kg', 'lb'] } }, ['amount', 'unit']);
const NOTE = tool('save_note', { text: { type: 'string' } });
const SQL = tool('run_sql', { query: { type: 'string' } });
const KINDS = tool('settings_tool', {
  mode: { type: 'string', enum: ['fast', 'slow'] }, on: { type: 'boolean' }, tags: { type: 'array' }, extra: { type: 'object' }, count: { type: 'integer' },
});

interface Case { rule: string; tools: ToolSpec[]; prompt: string; expected: Record<string, unknown> }

const CASES: Case[] = [
  { rule: 'place after "in"', tools: [WEATHER], prompt: "What's the weather in New York?", expected: { location: 'New York' } },
  { rule: 'place after "for"', tools: [WEATHER], prompt: "What's the weather forecast for Paris?", expected: { location: 'Paris' } },
  { rule: 'place: a capitalised word not beginning a sentence', tools: [WEATHER], prompt: 'Is Lisbon warm? Check the weather.', expected: { location: 'Lisbon' } },
  { rule: 'place by description', tools: [FORECAST], prompt: 'Run the forecast at Berlin tomorrow', expected: { q: 'Berlin' } },
  { rule: 'place: origin "from", destination "to"', tools: [FLIGHTS], prompt: 'book a flight to Rome from London', expected: { origin: 'London', destination: 'Rome' } },
  { rule: 'place: nothing named', tools: [WEATHER], prompt: 'Please use get_weather', expected: { location: '' } },
  { rule: 'arithmetic with parentheses', tools: [CALCULATOR], prompt: 'What is 12 * (3 + 4)? Use the calculator.', expected: { expression: '12 * (3 + 4)' } },
  { rule: 'arithmetic without blanks', tools: [CALCULATOR], prompt: 'compute 2+2 with the calculator', expected: { expression: '2+2' } },
  { rule: 'arithmetic by description', tools: [EVALUATE], prompt: 'evaluate (1.5 + 2) ^ 2 for me', expected: { input: '(1.5 + 2) ^ 2' } },
  { rule: 'arithmetic: nothing to compute', tools: [CALCULATOR], prompt: 'use the calculator', expected: { expression: '' } },
  { rule: 'integer from the prompt', tools: [DICE], prompt: 'roll a dice with 20 sides', expected: { sides: 20 } },
  { rule: 'integer within bounds, skipping fractions', tools: [DICE], prompt: 'roll dice: 1000 sides, 2.5 sides or 12 sides', expected: { sides: 12 } },
  { rule: 'integer: the minimum when the prompt has none', tools: [DICE], prompt: 'roll the dice', expected: { sides: 2 } },
  { rule: 'number with a fraction, enum first value', tools: [CONVERT], prompt: 'convert_units for 2.5 stone', expected: { amount: 2.5, unit: 'kg' } },
  { rule: 'number: 1 when the prompt has none', tools: [CONVERT], prompt: 'convert_units please', expected: { amount: 1, unit: 'kg' } },
  { rule: 'double-quoted text', tools: [NOTE], prompt: 'save_note "buy milk" for me', expected: { text: 'buy milk' } },
  { rule: 'typographic quotes', tools: [NOTE], prompt: 'Save a note: “water the plants” (save_note)', expected: { text: 'water the plants' } },
  { rule: "single quotes, not apostrophes", tools: [NOTE], prompt: "It's late, save_note 'call Ada' now", expected: { text: 'call Ada' } },
  { rule: 'text after a colon', tools: [NOTE], prompt: 'save_note: buy milk and eggs.', expected: { text: 'buy milk and eggs' } },
  { rule: 'a name', tools: [NOTE], prompt: 'save_note about Ada Lovelace please', expected: { text: 'Ada Lovelace' } },
  { rule: 'the last word that is not a stop word', tools: [NOTE], prompt: 'please save_note about serendipity now', expected: { text: 'serendipity' } },
  // "sql" is too short to select run_sql, but as part of its name it is no argument either.
  { rule: 'never a tool name or part of one', tools: [NOTE, SQL], prompt: 'save_note about sql', expected: { text: '' } },
  { rule: 'enum, boolean, array, object as before', tools: [KINDS], prompt: 'change the settings', expected: { mode: 'fast', on: true, tags: [], extra: {}, count: 1 } },
  { rule: 'a JSON object literal wins', tools: [WEATHER], prompt: 'weather in Oslo {"location": "Rome"}', expected: { location: 'Rome' } },
];

/** Lower-case tool names and their parts: never an argument value. */
function toolWords(tools: ToolSpec[]): string[] {
  return tools.flatMap((t) => [t.name.toLowerCase(), ...t.name.toLowerCase().split(/[_-]/)]);
}

describe.each(APIS)('%s', (api) => {
  it.each(CASES)('$rule: $prompt', async ({ tools, prompt, expected }) => {
    const reply = await streamAny(proxy.url, api, toolsBody(api, prompt, tools));
    expect(reply.status).toBe(200);
    expect(reply.calls).toHaveLength(1);
    expect(reply.calls[0]?.name).toBe(tools[0]?.name);
    expect(reply.calls[0]?.arguments).toEqual(expected);
    for (const value of Object.values(reply.calls[0]?.arguments ?? {})) {
      if (typeof value === 'string') expect(toolWords(tools)).not.toContain(value.toLowerCase());
    }
  });
});

describe('Gemini OpenAPI schemas', () => {
  it('upper-case types read numbers and places like JSON Schema ones', async () => {
    const declaration = {
      name: 'plan_trip',
      description: 'Plan a trip',
      parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, days: { type: 'INTEGER' } }, required: ['city', 'days'] },
    };
    const reply = await streamAny(proxy.url, 'gemini', toolsBody('gemini', 'plan_trip: 3 days in Kyoto', [declaration]));
    expect(reply.calls).toEqual([{ name: 'plan_trip', arguments: { city: 'Kyoto', days: 3 } }]);
  });
});
