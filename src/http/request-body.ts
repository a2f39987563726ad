// Reading a request's body on a server of the kit (the mock, the callback receiver): never more
// than the limit, without reading on once it is passed (a declared length past it is refused at
// once), and a client that goes away mid-body is told apart from a complete body.
import type { IncomingMessage } from "node:http";

export type BodyRead =
  | { kind: "read"; bytes: Buffer }
  | { kind: "too-large"; limit: number }
  | { kind: "aborted" };

export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ kind: "too-large", limit });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      request.removeAllListeners("data");
      resolve(result);
    };
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ kind: "too-large", limit });
      else chunks.push(chunk);
    });
    request.on("end", () => finish({ kind: "read", bytes: Buffer.concat(chunks, size) }));
    request.on("error", () => finish({ kind: "aborted" }));
    request.on("close", () => {
      if (!request.complete) finish({ kind: "aborted" });
    });
  });
}

