/** A tiny static server on 127.0.0.1 for HTTP skill sources; `routes` may change between requests. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

export interface Route {
  status?: number;
  body: string | Uint8Array;
  type?: string;
  /** Answer only once this settles (the request is in flight until then). */
  hold?: Promise<unknown>;
  /** Send `body` again and again until the client goes away. */
  endless?: boolean;
}

export interface SkillServer {
  base: string;
  hits: string[];
  routes: Record<string, Route>;
  /** Settles when `path` is next requested (or at once if it already was). */
  hit(path: string): Promise<void>;
  /** Settles when the client has gone away from an `endless` answer of `path`. */
  dropped(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function serve(routes: Record<string, Route>): Promise<SkillServer> {
  const hits: string[] = [];
  const waiting = new Map<string, Array<() => void>>();
  const drops = new Map<string, Promise<void>>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    hits.push(path);
    for (const tell of waiting.get(path)?.splice(0) ?? []) tell();
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    const answer = () => {
      res.writeHead(route.status ?? 200, { "content-type": route.type ?? "application/json" });
      if (!route.endless) return void res.end(route.body);
      drops.set(path, new Promise((resolve) => res.on("close", resolve)));
      const more = () => {
        while (!res.destroyed && res.write(route.body));
      };
      res.on("drain", more);
      more();
    };
    if (route.hold) void route.hold.then(answer, answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    routes,
    hit: (path) =>
      hits.includes(path)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve])),
    dropped: (path) => drops.get(path) ?? Promise.reject(new Error(`${path} was not answered endlessly`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const servers: SkillServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** `serve`, closed after the test. */
export async function server(routes: Record<string, Route>): Promise<SkillServer> {
  const s = await serve(routes);
  servers.push(s);
  return s;
}

export function indexOf(skills: unknown[]): Route {
  return { body: JSON.stringify({ skills }) };
}

/** The skill both skill suites serve and embed. */
export const TONE = { name: "tone", description: "How to write", content: "Always answer in haiku." };
