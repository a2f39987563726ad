// A server that behaves like the mock but for one distortion: it may answer a request itself
// (before the mock sees it) or rewrite the mock's answer. Stand-ins for implementations that are
// wrong in one way.
import { createServer, request as forward, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Distortion {
  /** Answer instead of the mock, or change the request's headers (and body) before forwarding. */
  request?: (incoming: {
    method: string;
    path: string;
    headers: IncomingHttpHeaders;
    body: string;
  }) => Answer | { headers: IncomingHttpHeaders; body?: string } | undefined;
  /** Milliseconds to hold the request before it is handled (a slow server). */
  delayMs?: (incoming: { method: string; path: string; body: string }) => number;
  /** Rewrite the mock's answer. */
  response?: (answer: Answer) => Answer;
}

export async function startDistorted(upstream: string, distortion: Distortion): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      let body = Buffer.concat(chunks).toString("utf8");
      const hold = distortion.delayMs?.({ method: incoming.method ?? "", path: incoming.url ?? "", body }) ?? 0;
      if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
      let headers = incoming.headers;
      let early: ReturnType<NonNullable<Distortion["request"]>>;
      try {
        early = distortion.request?.({ method: incoming.method ?? "", path: incoming.url ?? "", headers, body });
      } catch {
        early = undefined; // A distortion that cannot read this request leaves it alone.
      }
      if (early && "status" in early) {
        // Status 0 stands for no answer at all: the connection is dropped.
        if (early.status === 0) outgoing.socket?.destroy();
        else outgoing.writeHead(early.status, early.headers).end(early.body);
        return;
      }
      if (early) {
        headers = early.headers;
        if (early.body !== undefined) {
          body = early.body;
          headers = { ...headers, "content-length": String(Buffer.byteLength(body)) };
        }
      }
      // A connection of its own: a pooled one the mock closed (kept alive 5 s) while this process
      // was busy would be reset, and the run would see a failure of the stand-in, not the mock's.
      const proxied = forward(
        { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers, agent: false },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            const original: Answer = {
              status: answer.statusCode ?? 502,
              // Every header but the hop-by-hop ones and the length (the body may be rewritten).
              headers: Object.fromEntries(
                Object.entries(answer.headers)
                  .filter(([name, value]) => value !== undefined && !["connection", "keep-alive", "transfer-encoding", "content-length", "date"].includes(name))
                  .map(([name, value]) => [name, String(value)]),
              ),
              body: Buffer.concat(parts).toString("utf8"),
            };
            const final = distortion.response ? distortion.response(original) : original;
            outgoing.writeHead(final.status, final.headers).end(final.body);
          });
        },
      );
      proxied.on("error", () => outgoing.destroy());
      proxied.end(body);
    });
  });
  // Its own connections stay open 30 s idle (Node's default is 5 s): a client reuses one within
  // seconds, so a client busy for a second never sends on one this server has just closed.
  // close() cuts them all.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A server that answers 500 WA500 to a POST whose body is not JSON (and is right otherwise). */
export function serverErrorOnMalformedJson(internalError: unknown): Distortion {
  return {
    request: ({ method, body }) => {
      if (method !== "POST") return undefined;
      try {
        JSON.parse(body);
        return undefined;
      } catch {
        return { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify(internalError) };
      }
    },
  };
}
