// A server in front of the mock that checks, on the server side, every request it receives
// against the contract (path parameters, media type, api-key, body), records what it saw, and
// forwards it unchanged.
import { createServer, request as forward, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { operation } from "../../src/contract/operation.ts";
import { compileContractSchemas } from "../../src/contract/schemas.ts";

export interface SeenRequest {
  method: string;
  /** The raw request target, as it came over the wire. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  violations: string[];
}

export interface Gate {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startGate(upstream: string): Promise<Gate> {
  const contract = operation();
  const schemas = compileContractSchemas();
  const seen: SeenRequest[] = [];
  const target = new URL(upstream);

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const violations: string[] = [];
      const params = contract.matchPath((incoming.url ?? "").split("?")[0]!);
      if (!params || incoming.method?.toLowerCase() !== contract.method) violations.push(`not the operation: ${incoming.method} ${incoming.url}`);
      for (const [name, raw] of Object.entries(params ?? {})) {
        for (const issue of schemas.issues(contract.pathParameterSchemaPointers[name]!, decodeURIComponent(raw))) violations.push(`${name} ${issue.message}`);
      }
      if (!contract.requestMediaTypes.includes((incoming.headers["content-type"] ?? "").split(";")[0]!.trim()))
        violations.push(`content-type ${incoming.headers["content-type"]}`);
      if (!incoming.headers["api-key"]) violations.push("no api-key");
      try {
        for (const issue of schemas.issues(contract.requestSchemaPointer, JSON.parse(body.toString("utf8"))))
          violations.push(`${issue.field} ${issue.message}`);
      } catch {
        violations.push("body is not JSON");
      }
      seen.push({ method: incoming.method ?? "", url: incoming.url ?? "", headers: incoming.headers, body: body.toString("utf8"), violations });

      const proxied = forward(
        { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      proxied.on("error", () => outgoing.destroy());
      proxied.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
