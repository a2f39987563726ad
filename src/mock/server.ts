// The mock's front: a node:http server that owns the socket, the body, the account and the log.
// The path a request takes:
//   head (request line, headers) → admin (the admin API under its reserved prefix) → intake
//   (read + decode) → prefer → account → the contract's refusals → scenario (admin scenarios,
//   test recipients) → documented (the example Prefer asks for, the plain case's, or the 405/404
//   of another method or path; with the "prism" engine, Prism instead) → latency → reply (or a
//   fault) → journal and log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { loadDocument } from "../contract/document.ts";
import { operation, recipientOf } from "../contract/operation.ts";
import { compileContractSchemas } from "../contract/schemas.ts";
import { checkAccount } from "./account.ts";
import type { MockConfig } from "./config.ts";
import { createEngine, type Engine } from "./engine.ts";
import { createFastPath, type FastPath } from "./fast-path.ts";
import { createDocumented, type Documented } from "./documented.ts";
import { adminAccess } from "./admin/access.ts";
import { createCallbackSender } from "../callbacks/sender.ts";
import { createMasker } from "../http/secrets.ts";
import { createAdminApi, type AdminApi } from "./admin/api.ts";
import { playFault, type HeldResponses } from "./admin/faults.ts";
import { createJournal, journalBodyLimitBytes, type Journal } from "./admin/journal.ts";
import { createScenarios, type Scenarios } from "./admin/scenarios.ts";
import { queueCallbacks } from "./callbacks.ts";
import { chosenReply } from "./scenario.ts";
import { defaultCallbackSettings, defaultJournalLimit } from "./config.ts";
import { checkHead, decodeBody, engineHeaders, hasMalformedEscape, headerValue, maxHeaderLines, readBody } from "./intake.ts";
import { createHolds, latencyDraw } from "./latency.ts";
import { createRequestLog, escapeLine, type RequestLog } from "./log.ts";
import { readPreference } from "./prefer.ts";
import { badRequestReply, codeOf, exampleReply, problemReply, send, withFreshMessageId } from "./reply.ts";
import type { Reply } from "./model.ts";
import { listenOn } from "../http/listen.ts";

export interface MockServer {
  /** Where the mock listens, e.g. `http://127.0.0.1:4010`. */
  url: string;
  server: Server;
  /**
   * Stops accepting connections and resolves once in-flight requests are answered; held answers
   * go at once, held connections are cut, queued callbacks are dropped. Called again, the same promise.
   */
  close(): Promise<void>;
  /** As close, and every connection is cut now, kept-alive and in-flight alike: nothing of the mock keeps the process alive. */
  closeNow(): Promise<void>;
}

export interface MockOptions extends MockConfig {
  /** Where request lines go; stdout by default. */
  write?: (line: string) => void;
}

/** What the journal keeps of a request beside its answer. */
interface Facts {
  /** The body's text (JSON text when `bodyJson`), or undefined when empty or not read. */
  body: string | undefined;
  bodyJson: boolean;
  bodyTruncated: boolean;
  sid: string | undefined;
  phoneNumber: string | undefined;
}

interface Stages {
  engines: Engines;
  admin: AdminApi;
  scenarios: Scenarios;
}

interface Engines {
  /** The contract's refusals, and the plain case's answer (compiled in either engine choice). */
  rules: FastPath;
  /** The default engine's other answers: by `Prefer`, and to a request that is not this operation. */
  documented: Documented;
  /** Prism, which answers whatever the front does not when the engine is "prism"; the default engine never loads it. */
  prism: Engine | undefined;
}

type Answer = { kind: "admin" | "vendor"; reply: Reply } | undefined;

async function answer(request: IncomingMessage, config: MockConfig, stages: Stages, notes: string[], facts: Facts): Promise<Answer> {
  const vendor = (reply: Reply | undefined): Answer => reply && { kind: "vendor", reply };
  const { engines } = stages;
  // Stage: the request line and headers.
  const head = checkHead(request);
  if (!head.ok) {
    notes.push(head.problem);
    return vendor({
      ...problemReply({
        status: head.status,
        title: head.status === 431 ? "Request header fields too large" : "Bad request",
        detail: `The request has ${head.problem}.`,
      }),
      closeConnection: true,
    });
  }
  const { path, query } = head.target;
  const contract = operation();
  const method = request.method ?? "GET";

  // Stage: the admin API, under its reserved prefix (which the vendor does not serve).
  if (path.startsWith(stages.admin.prefix)) {
    const reply = await stages.admin.handle(request, path, query);
    if (reply) return { kind: "admin", reply };
    // Off: the path is nobody's, and answered as any unknown path is.
  }

  const pathParameters = contract.matchPath(path);
  const isOperation = pathParameters !== undefined && method.toLowerCase() === contract.method;

  // Stage: intake (the body).
  const read = await readBody(request, config.bodyLimitBytes);
  if (read.kind === "aborted") return undefined;
  if (read.kind === "too-large") {
    notes.push(`body larger than the mock's limit of ${read.limit} bytes`);
    facts.bodyTruncated = true;
    const reply = isOperation
      ? exampleReply("incorrect-payload")
      : problemReply({ status: 413, title: "Payload too large", detail: `The body is larger than ${read.limit} bytes.` });
    return vendor({ ...reply, closeConnection: true }); // The rest of the body is not worth reading.
  }
  if (hasMalformedEscape(path)) {
    const problem = "the path has a malformed percent-escape";
    notes.push(problem);
    return vendor(
      isOperation ? exampleReply("incorrect-payload") : problemReply({ status: 400, title: "Bad request", detail: "The path has a malformed percent-escape." }),
    );
  }
  const decoded = decodeBody(read.bytes, request.headers["content-type"], contract.requestMediaTypes);
  if (decoded.problem && isOperation) notes.push(decoded.problem);
  if (read.bytes.length > journalBodyLimitBytes) {
    // A copy of the start, so the journal does not hold the whole body through a sliced string.
    facts.body = new TextDecoder().decode(read.bytes.subarray(0, journalBodyLimitBytes));
    facts.bodyTruncated = true;
  } else if (decoded.json !== undefined) {
    facts.body = decoded.json;
    facts.bodyJson = true;
  } else {
    facts.body = decoded.body as string | undefined;
  }

  let preference = {};
  if (isOperation) {
    // Stage: prefer.
    const prefer = headerValue(request, "prefer");
    const preferred = readPreference(prefer, contract);
    if (!preferred.ok) {
      notes.push(preferred.problem);
      return vendor(badRequestReply("prefer", preferred.problem));
    }
    preference = preferred.preference;

    // Stage: account.
    const apiKey = headerValue(request, "api-key")?.trim();
    const decodedParameters: Record<string, string> = {};
    for (const [name, raw] of Object.entries(pathParameters)) decodedParameters[name] = raw.includes("%") ? decodeURIComponent(raw) : raw;
    facts.sid = decodedParameters.sid;
    facts.phoneNumber = decodedParameters.phone_number;
    if (apiKey) {
      const rejection = checkAccount(config.account, {
        apiKey,
        sid: decodedParameters.sid ?? "",
        phoneNumber: decodedParameters.phone_number ?? "",
      });
      if (rejection) {
        notes.push(rejection);
        return vendor(exampleReply(rejection));
      }
    }
    // Stage: the contract's refusals, which no Prefer and no scenario overrides; then the
    // scenarios and test recipients; then the fast path.
    const plain = { apiKey, pathParameters: decodedParameters, body: decoded.body };
    const candidate = { to: recipientOf(decoded.body), sid: facts.sid ?? "", phoneNumber: facts.phoneNumber ?? "" };
    const mayChoose = stages.scenarios.mayChoose(candidate);
    if (!engines.prism || prefer !== undefined || mayChoose) {
      const refusal = engines.rules.refusal(plain, notes);
      if (refusal) return vendor(refusal);
      const chosen = mayChoose ? stages.scenarios.choose(candidate) : undefined;
      if (chosen) return vendor(chosenReply(chosen, notes));
      // Stage: the documented response (the default engine): the one Prefer asks for, or the plain case's.
      if (!engines.prism) return vendor(engines.documented.preferred(preference));
    }
  }

  // Stage: not this operation (the default engine): 405 or 404 as Prism answers them.
  if (!engines.prism) return vendor(engines.documented.elsewhere({ method, path, apiKey: headerValue(request, "api-key")?.trim(), body: decoded.body }, notes));

  // Stage: engine (Prism).
  const headers = engineHeaders(request, decoded.contentType);
  const result = await engines.prism.process({ method, path, query, headers, body: decoded.body, preference });
  if (result.kind === "problem") {
    notes.push(result.title);
    const allow = result.status === 405 && engines.documented.isOperationPath(path) ? { allow: contract.method.toUpperCase() } : {};
    return vendor(problemReply({ ...result, headers: { ...result.headers, ...allow } }));
  }
  notes.push(...result.diagnostics);
  const { statusCode, headers: responseHeaders = {}, body } = result.response;
  return vendor({ status: statusCode, headers: responseHeaders, body: statusCode >= 200 && statusCode < 300 ? withFreshMessageId(body) : body });
}

export async function startMock(options: MockOptions): Promise<MockServer> {
  const document = loadDocument();
  const rules = createFastPath(operation(), compileContractSchemas(document));
  const engines: Engines = {
    rules,
    documented: createDocumented(operation(), rules),
    // Loaded at start-up: no request waits for it.
    prism: options.engine === "prism" ? await createEngine(document) : undefined,
  };
  // The secrets the mock knows ahead: masked in the journal, the log and the callbacks' notes alike.
  const knownSecrets = [options.account.apiKey, options.adminToken];
  const journal: Journal = createJournal(options.journalLimit ?? defaultJournalLimit, knownSecrets);
  const scenarios = createScenarios(operation().testRecipients);
  const secretMask = createMasker(knownSecrets);
  const note =
    options.log === "silent"
      ? () => {}
      : (line: string) => (options.write ?? ((text: string) => process.stdout.write(text)))(`${escapeLine(secretMask(line))}\n`);
  const callbacks = createCallbackSender({ ...defaultCallbackSettings, url: undefined, ...options.callbacks }, note, secretMask);
  const admin = createAdminApi({ access: adminAccess(options.host, options.adminToken), journal, scenarios, callbacks });
  const stages: Stages = { engines, admin, scenarios };
  const log: RequestLog | undefined = createRequestLog(options.log, options.write, options.account.apiKey, options.adminToken);
  const latency = latencyDraw(options.latency);
  // Released when the mock stops: held answers go at once, held connections are cut.
  const holds = createHolds();
  const held: HeldResponses = new Set();
  let closing = false;
  let arrivals = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const seq = ++arrivals;
    const receivedAt = Date.now();
    const started = performance.now();
    const notes: string[] = [];
    const facts: Facts = { body: undefined, bodyJson: false, bodyTruncated: false, sid: undefined, phoneNumber: undefined };
    let answered: Answer;
    try {
      answered = await answer(request, options, stages, notes, facts);
    } catch (error) {
      // Only a defect of the mock lands here: say so loudly rather than guess an answer.
      notes.push(`mock defect: ${(error as Error).stack ?? String(error)}`);
      answered = { kind: "vendor", reply: problemReply({ status: 500, title: "Mock defect", detail: "The mock failed on this request; see its log." }) };
    }
    if (answered === undefined) {
      response.destroy(); // The client went away mid-body.
      return;
    }
    const { kind, reply } = answered;
    // Stage: latency (and a scenario's delay), on the vendor's side only.
    let delayMs = 0;
    if (kind === "vendor") {
      delayMs = latency() + (reply.delayMs ?? 0);
      if (delayMs > 0) await holds.hold(delayMs);
    }
    // While closing, a kept-alive connection would hold the process open after its last answer.
    if (reply.closeConnection || closing) response.setHeader("connection", "close");
    // Stage: reply, or the fault played instead.
    let status: number | undefined = reply.status;
    if (reply.fault !== undefined) {
      if (closing) response.destroy();
      else status = playFault(reply.fault, response, engines.rules.accepted().raw!, held);
    } else {
      send(response, reply);
    }
    // Stage: the status callbacks of an accepted send; then the journal and the log.
    if (kind === "vendor" && reply.fault === undefined && reply.status >= 200 && reply.status < 300 && callbacks.url(facts.sid) !== undefined) {
      queueCallbacks(callbacks, reply, facts);
    }
    if (kind === "vendor") {
      journal.add({
        seq,
        receivedAt,
        method: request.method ?? "",
        path: request.url ?? "",
        // One string kept rather than an array of them: fewer objects for the collector to carry.
        rawHeaders: request.rawHeaders.join("\n"),
        body: facts.body,
        bodyJson: facts.bodyJson,
        bodyTruncated: facts.bodyTruncated,
        sid: facts.sid,
        phoneNumber: facts.phoneNumber,
        apiKey: headerValue(request, "api-key"),
        status,
        raw: reply.raw,
        replyBody: reply.body,
        fault: reply.fault,
        scenario: reply.source,
        delayMs,
      });
    }
    log?.({
      method: request.method ?? "",
      path: request.url ?? "",
      status: reply.fault ?? reply.status,
      code: reply.fault === undefined ? codeOf(reply) : undefined,
      milliseconds: performance.now() - started,
      notes,
      apiKey: headerValue(request, "api-key"),
    });
  };

  // A client that stalls is cut off: Node checks these limits every connectionsCheckingInterval.
  const requestTimeout = options.requestTimeoutMs;
  const server = createServer(
    { requestTimeout, headersTimeout: Math.min(10_000, requestTimeout), connectionsCheckingInterval: Math.min(1_000, requestTimeout / 2) },
    (request, response) => {
      void handle(request, response);
    },
  );
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

  const url = await listenOn(server, options.port, options.host);

  let stopped: Promise<void> | undefined;
  const close = () =>
    (stopped ??= new Promise<void>((resolve, reject) => {
      closing = true;
      holds.releaseAll();
      callbacks.close();
      for (const response of held) response.destroy();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    }));
  return {
    url,
    server,
    close,
    closeNow: () => {
      const stopping = close();
      server.closeAllConnections();
      return stopping;
    },
  };
}
