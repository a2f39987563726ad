// A request exactly as written: no client library adding headers or encoding the path.
import { request } from "node:http";
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
    const call = request({ hostname, port, method: options.method, path: options.path, headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    call.on("error", reject);
    // A server that never answers fails the test here, naming the request, not at vitest's time-out.
    call.setTimeout(limitMs, () => {
      reject(new Error(`${options.method} ${options.path}: no answer within ${limitMs} ms (TEST_WAIT_MS)`));
      call.destroy();
    });
    call.end(options.body);
  });
}
