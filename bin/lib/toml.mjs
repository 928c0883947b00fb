// Just enough TOML to check a pack before it is written: tables, dotted and
// quoted keys, strings (basic, literal, multi-line), arrays and inline
// tables. It lists every key with its value (strings decoded, arrays as
// arrays, other scalars as their text). The core's reader (its own TOML
// subset, meerkat-web-runtime/src/mobpack/toml.rs) is the authority: build
// reads each pack back with it. This one only gives early, clear messages.
import { CliError } from './errors.mjs';

const ESCAPES = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

class Reader {
  constructor(text, file) {
    this.text = text;
    this.file = file;
    this.at = 0;
  }
  fail(what) {
    const line = this.text.slice(0, this.at).split('\n').length;
    throw new CliError(`${this.file} line ${line}: ${what}`);
  }
  peek(n = 1) {
    return this.text.slice(this.at, this.at + n);
  }
  /** Skip spaces and tabs (and newlines and comments when `lines`). */
  blank(lines = false) {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || (lines && (c === '\n' || c === '\r'))) this.at += 1;
      else if (lines && c === '#') while (this.at < this.text.length && this.peek() !== '\n') this.at += 1;
      else return;
    }
  }
  expect(s) {
    if (this.peek(s.length) !== s) this.fail(`expected ${JSON.stringify(s)}`);
    this.at += s.length;
  }
  /** The end of a statement: spaces, an optional comment, a newline or the end. */
  endOfLine() {
    this.blank();
    if (this.peek() === '#') while (this.at < this.text.length && this.peek() !== '\n') this.at += 1;
    if (this.peek(2) === '\r\n') this.at += 2;
    else if (this.peek() === '\n' || this.at >= this.text.length) this.at += 1;
    else this.fail(`unexpected ${JSON.stringify(this.peek())}`);
  }
  key() {
    const parts = [];
    for (;;) {
      this.blank();
      const c = this.peek();
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.at));
        if (!m) this.fail('expected a key');
        parts.push(m[0]);
        this.at += m[0].length;
      }
      this.blank();
      if (this.peek() !== '.') return parts;
      this.at += 1;
    }
  }
  string() {
    const quote = this.peek();
    const multi = this.peek(3) === quote.repeat(3);
    const close = multi ? quote.repeat(3) : quote;
    this.at += close.length;
    if (multi && this.peek() === '\n') this.at += 1;
    let out = '';
    for (;;) {
      if (this.at >= this.text.length || (!multi && this.peek() === '\n')) this.fail('unterminated string');
      if (this.peek(close.length) === close) {
        this.at += close.length;
        return out;
      }
      const c = this.peek();
      this.at += 1;
      if (c !== '\\' || quote === "'") out += c;
      else out += this.escape(multi);
    }
  }
  escape(multi) {
    const c = this.peek();
    this.at += 1;
    if (c in ESCAPES) return ESCAPES[c];
    if (c === 'u' || c === 'U') {
      const hex = this.text.slice(this.at, this.at + (c === 'u' ? 4 : 8));
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== (c === 'u' ? 4 : 8)) this.fail('bad unicode escape');
      this.at += hex.length;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (multi && /\s/.test(c)) {
      this.at -= 1;
      while (/\s/.test(this.peek())) this.at += 1;
      return '';
    }
    return this.fail(`bad escape \\${c}`);
  }
  /** A value; inline tables add their keys to `entries` under `prefix`. */
  value(entries, table, prefix) {
    const c = this.peek();
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return this.array(entries, table, prefix);
    if (c === '{') return this.inlineTable(entries, table, prefix);
    const m = /^[^\s,\]}#]+/.exec(this.text.slice(this.at));
    if (!m) this.fail('expected a value');
    this.at += m[0].length;
    return m[0];
  }
  array(entries, table, prefix) {
    this.at += 1;
    const items = [];
    for (;;) {
      this.blank(true);
      if (this.peek() === ']') break;
      items.push(this.value(entries, table, prefix));
      this.blank(true);
      if (this.peek() === ',') this.at += 1;
      else if (this.peek() !== ']') this.fail('expected "," or "]"');
    }
    this.at += 1;
    return items;
  }
  inlineTable(entries, table, prefix) {
    this.at += 1;
    this.blank();
    while (this.peek() !== '}') {
      this.pair(entries, table, prefix);
      this.blank();
      if (this.peek() === ',') this.at += 1;
      else if (this.peek() !== '}') this.fail('expected "," or "}"');
      this.blank();
    }
    this.at += 1;
    return '{…}';
  }
  pair(entries, table, prefix) {
    const key = [...prefix, ...this.key()];
    this.expect('=');
    this.blank();
    const entry = { table, key, value: undefined };
    entries.push(entry);
    entry.value = this.value(entries, table, key);
  }
}

/**
 * Every key of a TOML document, in order.
 * @returns {Array<{ table: string[], key: string[], value: unknown }>}
 */
export function tomlEntries(text, file) {
  const r = new Reader(text, file);
  const entries = [];
  let table = [];
  for (;;) {
    r.blank(true);
    if (r.at >= text.length) return entries;
    if (r.peek() === '[') {
      const double = r.peek(2) === '[[';
      r.at += double ? 2 : 1;
      table = r.key();
      r.expect(double ? ']]' : ']');
    } else {
      r.pair(entries, table, []);
    }
    r.endOfLine();
  }
}

/** The string at `table.key`, or undefined. */
export function tomlString(entries, table, key) {
  const found = entries.find((e) => e.table.join('.') === table && e.key.join('.') === key);
  return typeof found?.value === 'string' ? found.value : undefined;
}
