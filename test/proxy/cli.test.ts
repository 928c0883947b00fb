// @vitest-environment node
// The `rkat-web-proxy` bin starts, answers /health and exits cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../proxy/cli.mjs', import.meta.url));

describe('cli', () => {
  it('prints its URL, serves /health, stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI], {
      env: { ...process.env, PORT: '0', ANTHROPIC_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (part: Buffer) => {
          out += part.toString();
          const first = out.split('\n')[0];
          if (out.includes('\n') && first !== undefined) resolve(first);
        });
        child.on('exit', () => reject(new Error(`cli exited early: ${out}`)));
      });
      const match = /^rkat-web-proxy listening on (http:\/\/127\.0\.0\.1:\d+) \(anthropic: simulated\)$/.exec(line);
      expect(match, line).not.toBeNull();
      const url = match?.[1] ?? '';
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true, mode: { anthropic: 'simulated' } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
