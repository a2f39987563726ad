// Reading a request's body on a server of the kit (the mock, the callback receiver): never more
// than the limit, without reading on once it is passed (a declared length past it is refused at
// once), and a client that goes away mid-body is told apart from a complete body.
import type { IncomingMessage } from "node:http";

export type BodyRead = { kind: "read"; bytes: Buffer } | { kind: "too-large"; limit: number } | { kind: "aborted" };

export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ kind: "too-large", limit });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        // Past the limit nothing more is kept or counted: the caller answers and closes.
        request.off("data", onData);
        resolve({ kind: "too-large", limit });
      }
    };
    request.on("data", onData);
    // A promise settles once: whichever of these comes first decides, the rest change nothing.
    request.on("end", () => {
      if (size <= limit) resolve({ kind: "read", bytes: Buffer.concat(chunks, size) });
    });
    request.on("error", () => resolve({ kind: "aborted" }));
    request.on("close", () => {
      if (!request.complete) resolve({ kind: "aborted" });
    });
  });
}
