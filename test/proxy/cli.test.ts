// @vitest-environment node
// The `rkat-web-proxy` bin starts, answers /health and exits cleanly on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../proxy/cli.mjs', import.meta.url));

/** Runs the bin to its exit; one that wrongly starts listening is killed, not waited on forever. */
function runCli(env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI], { encoding: 'utf8', env: { ...process.env, PORT: '0', ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', ...env }, timeout: 10_000 });
}

/** Starts the bin with these keys and returns its first stdout line. */
function startCli(keys: Record<string, string>) {
  const child = spawn(process.execPath, [CLI], {
    env: { ...process.env, PORT: '0', ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', ...keys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (part: Buffer) => {
      out += part.toString();
      const first = out.split('\n')[0];
      if (out.includes('\n') && first !== undefined) resolve(first);
    });
    child.on('exit', () => reject(new Error(`cli exited early: ${out}`)));
  });
  return { child, exited, firstLine };
}

describe('cli', () => {
  it('lists each provider\'s mode without printing keys', async () => {
    const { child, exited, firstLine } = startCli({ OPENAI_API_KEY: 'sk-cli-secret-key', GEMINI_API_KEY: 'AIza-cli-secret' });
    try {
      const line = await firstLine;
      expect(line).toMatch(/\(anthropic: simulated, openai: forward, gemini: forward\)$/);
      expect(line).not.toMatch(/secret/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('prints its URL, serves /health, stops on SIGTERM', async () => {
    const { child, exited, firstLine } = startCli({});
    try {
      const line = await firstLine;
      const match = /^rkat-web-proxy listening on (http:\/\/127\.0\.0\.1:\d+) \(anthropic: simulated, openai: simulated, gemini: simulated\)$/.exec(line);
      expect(match, line).not.toBeNull();
      const url = match?.[1] ?? '';
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true, mode: { anthropic: 'simulated', openai: 'simulated', gemini: 'simulated' } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('--help prints the usage and exits 0 without listening; any other argument is refused', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', env: { ...process.env, PORT: '0' } });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: rkat-web-proxy/);
    expect(help.stdout).toContain('ANTHROPIC_API_KEY');
    expect(help.stdout).not.toContain('listening');
    const bad = spawnSync(process.execPath, [CLI, '--port', '9'], { encoding: 'utf8', env: { ...process.env, PORT: '0' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unexpected argument "--port"');
    expect(bad.stdout).toBe('');
  });

  it('refuses a PORT that is not a plain decimal integer in range', () => {
    for (const port of [' ', '0x10', '1e3', '-1', '65536', '3100.0', '80 ']) {
      const run = runCli({ PORT: port });
      expect(run.status, JSON.stringify(port)).toBe(2);
      expect(run.stderr).toContain('PORT must be an integer between 0 and 65535');
      expect(run.stdout).toBe('');
    }
  });

  it('refuses a key with a trailing CR (a CRLF .env file), naming the variable but not the key', () => {
    const run = runCli({ OPENAI_API_KEY: 'sk-cli-secret-key\r' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('OPENAI_API_KEY');
    expect(run.stderr + run.stdout).not.toContain('secret');
    expect(run.stdout).not.toContain('listening');
  });

  it('refuses RKAT_PROXY_ALLOWED_ORIGINS entries that are not origins', () => {
    const run = runCli({ RKAT_PROXY_ALLOWED_ORIGINS: 'https://ok.example,*' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/RKAT_PROXY_ALLOWED_ORIGINS.*"\*"/);
    expect(run.stdout).not.toContain('listening');
  });
});
