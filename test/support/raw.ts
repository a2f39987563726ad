// A request exactly as written: no client library adding headers or encoding the path.
import { Agent, request } from "node:http";
import { waitMs } from "./wait.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; limitMs?: number },
): Promise<RawResponse> {
  const limitMs = options.limitMs ?? waitMs;
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // A connection of its own (kept alive, as a client's would be): a pooled one the server
    // closed while this process was busy would be reset.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = request({ hostname, port, method: options.method, path: options.path, headers: options.headers ?? {}, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        agent.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") });
      });
      response.on("error", reject);
    });
    call.on("error", (error) => {
      agent.destroy();
      reject(error);
    });
    // A server that never answers fails the test here, naming the request, not at vitest's time-out.
    call.setTimeout(limitMs, () => {
      reject(new Error(`${options.method} ${options.path}: no answer within ${limitMs} ms (TEST_WAIT_MS)`));
      call.destroy();
      agent.destroy();
    });
    call.end(options.body);
  });
}
