// The mock's front: a node:http server that owns the socket, the body, the account and the log.
// The path a request takes:
//   head (request line, headers) → admin (the mock's reserved paths) → intake (read + decode) →
//   prefer → account → the contract's refusals → fast path (the plain case) or engine (Prism,
//   loaded when first needed) → reply.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadDocument } from "../contract/document.ts";
import { operation } from "../contract/operation.ts";
import { compileContractSchemas } from "../contract/schemas.ts";
import { checkAccount } from "./account.ts";
import type { MockConfig } from "./config.ts";
import { createEngine, type Engine } from "./engine.ts";
import { createFastPath, type FastPath } from "./fast-path.ts";
import { identityAnswer, identityPath } from "./admin/identity.ts";
import { checkHead, decodeBody, engineHeaders, hasMalformedEscape, headerValue, maxHeaderLines, readBody } from "./intake.ts";
import { createRequestLog, type RequestLog } from "./log.ts";
import { readPreference } from "./prefer.ts";
import { badRequestReply, codeOf, exampleReply, problemReply, send, withFreshMessageId, type Reply } from "./reply.ts";

export interface MockServer {
  /** Where the mock listens, e.g. `http://127.0.0.1:4010`. */
  url: string;
  server: Server;
  /** Stops accepting connections and resolves once in-flight requests are answered. */
  close(): Promise<void>;
}

export interface MockOptions extends MockConfig {
  /** Where request lines go; stdout by default. */
  write?: (line: string) => void;
}

interface Engines {
  /** The contract's refusals, and the plain case's answer (compiled in either engine choice). */
  rules: FastPath;
  /** Whether the plain case is answered by `rules` (the default) or by Prism. */
  fast: boolean;
  prism: () => Promise<Engine>;
}

async function answer(request: IncomingMessage, config: MockConfig, engines: Engines, notes: string[]): Promise<Reply | undefined> {
  // Stage: the request line and headers.
  const head = checkHead(request);
  if (!head.ok) {
    notes.push(head.problem);
    return { ...problemReply({ status: head.status, title: head.status === 431 ? "Request header fields too large" : "Bad request", detail: `The request has ${head.problem}.` }), closeConnection: true };
  }
  const { path, query } = head.target;
  const contract = operation();
  const method = request.method ?? "GET";

  // Stage: the mock's own reserved paths (identity), never the vendor's.
  if (path === identityPath && method === "GET") {
    const identity = identityAnswer(query);
    if (identity) return { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: identity };
    return problemReply({ status: 400, title: "Bad request", detail: "Ask with ?nonce= and 32 lower-case hex digits." });
  }

  const pathParameters = contract.matchPath(path);
  const isOperation = pathParameters !== undefined && method.toLowerCase() === contract.method;

  // Stage: intake (the body).
  const read = await readBody(request, config.bodyLimitBytes);
  if (read.kind === "aborted") return undefined;
  if (read.kind === "too-large") {
    notes.push(`body larger than the mock's limit of ${read.limit} bytes`);
    const reply = isOperation ? exampleReply("incorrect-payload") : problemReply({ status: 413, title: "Payload too large", detail: `The body is larger than ${read.limit} bytes.` });
    return { ...reply, closeConnection: true }; // The rest of the body is not worth reading.
  }
  if (hasMalformedEscape(path)) {
    const problem = "the path has a malformed percent-escape";
    notes.push(problem);
    return isOperation ? exampleReply("incorrect-payload") : problemReply({ status: 400, title: "Bad request", detail: `The ${problem}.` });
  }
  const decoded = decodeBody(read.bytes, request.headers["content-type"], contract.requestMediaTypes);
  if (decoded.problem && isOperation) notes.push(decoded.problem);

  let preference = {};
  if (isOperation) {
    // Stage: prefer.
    const prefer = headerValue(request, "prefer");
    const preferred = readPreference(prefer, contract);
    if (!preferred.ok) {
      notes.push(preferred.problem);
      return badRequestReply("prefer", preferred.problem);
    }
    preference = preferred.preference;

    // Stage: account.
    const apiKey = headerValue(request, "api-key")?.trim();
    const decodedParameters: Record<string, string> = {};
    for (const [name, raw] of Object.entries(pathParameters)) decodedParameters[name] = raw.includes("%") ? decodeURIComponent(raw) : raw;
    if (apiKey) {
      const rejection = checkAccount(config.account, {
        apiKey,
        sid: decodedParameters.sid ?? "",
        phoneNumber: decodedParameters.phone_number ?? "",
      });
      if (rejection) {
        notes.push(rejection);
        return exampleReply(rejection);
      }
    }
    // Stage: the contract's refusals, which no Prefer overrides; then the fast path.
    const plain = { apiKey, pathParameters: decodedParameters, body: decoded.body };
    if (engines.fast || prefer !== undefined) {
      const refusal = engines.rules.refusal(plain, notes);
      if (refusal) return refusal;
      if (engines.fast && prefer === undefined) return engines.rules.accepted();
    }
  }

  // Stage: engine (Prism).
  const headers = engineHeaders(request, decoded.contentType);
  const engine = await engines.prism();
  const result = await engine.process({ method, path, query, headers, body: decoded.body, preference });
  if (result.kind === "problem") {
    notes.push(result.title);
    const allow = result.status === 405 && pathParameters ? { allow: contract.method.toUpperCase() } : {};
    return problemReply({ ...result, headers: { ...result.headers, ...allow } });
  }
  notes.push(...result.diagnostics);
  const { statusCode, headers: responseHeaders = {}, body } = result.response;
  return { status: statusCode, headers: responseHeaders, body: statusCode === 202 ? withFreshMessageId(body) : body };
}

export async function startMock(options: MockOptions): Promise<MockServer> {
  const document = loadDocument();
  let prism: Promise<Engine> | undefined;
  const engines: Engines = {
    rules: createFastPath(operation(), compileContractSchemas(document)),
    fast: options.engine === "fast",
    prism: () => (prism ??= createEngine(document)),
  };
  // With every request going to Prism, load it now rather than on the first request.
  if (!engines.fast) await engines.prism();
  const log: RequestLog | undefined = createRequestLog(options.log, options.write, options.account.apiKey);
  let closing = false;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const notes: string[] = [];
    let reply: Reply | undefined;
    try {
      reply = await answer(request, options, engines, notes);
    } catch (error) {
      // Only a defect of the mock lands here: say so loudly rather than guess an answer.
      notes.push(`mock defect: ${(error as Error).stack ?? String(error)}`);
      reply = problemReply({ status: 500, title: "Mock defect", detail: "The mock failed on this request; see its log." });
    }
    if (reply === undefined) {
      response.destroy(); // The client went away mid-body.
      return;
    }
    // While closing, a kept-alive connection would hold the process open after its last answer.
    if (reply.closeConnection || closing) response.setHeader("connection", "close");
    send(response, reply);
    log?.({
      method: request.method ?? "",
      path: request.url ?? "",
      status: reply.status,
      code: codeOf(reply),
      milliseconds: performance.now() - started,
      notes,
      apiKey: headerValue(request, "api-key"),
    });
  };

  // A client that stalls is cut off: Node checks these limits every connectionsCheckingInterval.
  const requestTimeout = options.requestTimeoutMs;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(10_000, requestTimeout), connectionsCheckingInterval: Math.min(1_000, requestTimeout / 2) }, (request, response) => {
    void handle(request, response);
  });
  // One line past the limit is enough to tell that there were too many (431), rather than
  // Node's default of dropping every line past 2,000 without a word.
  server.maxHeadersCount = maxHeaderLines + 1;
  // A client that breaks the protocol gets a 4xx; it must never take the process down.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    const status =
      error.code === "HPE_HEADER_OVERFLOW"
        ? "431 Request Header Fields Too Large"
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? "408 Request Timeout"
          : "400 Bad Request";
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
