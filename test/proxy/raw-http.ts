// A raw HTTP/1.1 client over node:net. Unlike fetch it exposes the chunked
// transfer-encoding framing, i.e. exactly how the server cut its writes.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  /** One entry per HTTP chunk, in order: the server's individual writes. */
  chunks: Buffer[];
  body: Buffer;
}

export function rawPost(port: number, path: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
  const lines = [`POST ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return rawExchange(port, `${lines.join('\r\n')}\r\n\r\n${body}`);
}

function parseRaw(all: Buffer): RawResponse {
  const split = all.indexOf('\r\n\r\n');
  const head = all.subarray(0, split).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  let rest = all.subarray(split + 4);
  const chunks: Buffer[] = [];
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk framing');
      if (size === 0) break;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  } else {
    chunks.push(rest);
  }
  return { status, head, chunks, body: Buffer.concat(chunks) };
}

/** Sends `text` as is (head and body, any framing) and parses what comes back. */
export function rawExchange(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    socket.on('data', (part: Buffer) => parts.push(part));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseRaw(Buffer.concat(parts)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(text);
  });
}
