// The mock's front: a node:http server that owns the socket, the body, the account and the log.
// `answer` takes a request through the stages (stage.ts: each goes on with its result or ends the
// walk with a refusal of refusals.ts):
//   head (request line, headers) → admin (the admin API under its reserved prefix) → route →
//   body (read + decode) → prefer → account → the contract's refusals → scenario (admin scenarios,
//   test recipients) → documented (the example Prefer asks for, the plain case's, or the 405/404
//   of another method or path; with the "prism" engine, Prism instead);
// `handle` then: latency → reply (or a fault) → callbacks → journal and log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { loadDocument } from "../contract/document.ts";
import { operation, recipientOf } from "../contract/operation.ts";
import { contractSchemas } from "../contract/schemas.ts";
import { checkAccount } from "./account.ts";
import type { MockConfig } from "./config.ts";
import { createEngine, type Engine, type EngineRequest } from "./engine.ts";
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
import { chosenAnswer } from "./scenario.ts";
import { defaultCallbackSettings, defaultJournalLimit } from "./config.ts";
import { checkHead, cutBody, engineHeaders, headerValue, type KeptBody, maxHeaderLines, noBody, readBody, takeBody } from "./intake.ts";
import { createHolds, latencyDraw } from "./latency.ts";
import { createRequestLog, escapeLine, type RequestLog } from "./log.ts";
import { checkPrefer, type Preference } from "./prefer.ts";
import { refusals } from "./refusals.ts";
import { codeOf, problemReply, send, withFreshMessageId } from "./reply.ts";
import { after, type Answer, noNotes } from "./stage.ts";
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

/** How the walk ended: the answer, on which side, and what the journal keeps of the request beside it. */
interface Answered extends Answer {
  side: "admin" | "vendor";
  body: KeptBody;
  /** The operation's path parameters, percent-decoded, once the account stage has read them. */
  parameters: Record<string, string> | undefined;
}

/** An answer on the vendor's side; `reason`, an earlier stage's, goes before the answer's own. */
function vendor({ reply, notes }: Answer, body: KeptBody, parameters?: Record<string, string>, reason?: string): Answered {
  return { side: "vendor", reply, notes: after(reason, notes), body, parameters };
}

function decodedParameters(raw: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) decoded[name] = value.includes("%") ? decodeURIComponent(value) : value;
  return decoded;
}

/** Stage: engine (Prism), which answers whatever the front does not. */
async function prismAnswer(prism: Engine, request: EngineRequest, documented: Documented): Promise<Answer> {
  const result = await prism.process(request);
  if (result.kind === "problem") {
    const allow = result.status === 405 && documented.isOperationPath(request.path) ? { allow: operation().method.toUpperCase() } : {};
    return { reply: problemReply({ ...result, headers: { ...result.headers, ...allow } }), notes: [result.title] };
  }
  const { statusCode, headers = {}, body } = result.response;
  return {
    // Only an accepted answer carries a message_id: it is the one made fresh.
    reply: { status: statusCode, headers, body: withFreshMessageId(body) },
    notes: result.diagnostics,
  };
}

/** The stages of the path, in order; the first that answers ends the walk. Undefined: the client went away mid-body. */
async function answer(request: IncomingMessage, config: MockConfig, stages: Stages): Promise<Answered | undefined> {
  const { engines } = stages;
  const contract = operation();
  // A server's request always has its method and target; node:http types them optional for its client side.
  const method = request.method as string;

  // Head.
  const head = checkHead(request);
  if (!head.ok) return vendor(head.refusal, noBody);
  const { path, query } = head.value;

  // Admin: the admin API, under its reserved prefix (which the vendor does not serve). Off: the
  // path is nobody's, and answered as any unknown path is.
  if (path.startsWith(stages.admin.prefix)) {
    const reply = await stages.admin.handle(request, path, query);
    if (reply) return { side: "admin", reply, notes: noNotes, body: noBody, parameters: undefined };
  }

  // Route: the operation's raw path parameters, or undefined for another method or path.
  const rawParameters = method.toLowerCase() === contract.method ? contract.matchPath(path) : undefined;
  const onOperation = rawParameters !== undefined;

  // Body.
  const intake = takeBody(await readBody(request, config.bodyLimitBytes), request, path, onOperation, contract.requestMediaTypes, journalBodyLimitBytes);
  if (intake === undefined) return undefined;
  if (!intake.ok) return vendor(intake.refusal, intake.refusal.name === "body-too-large" ? cutBody : noBody);
  const body = intake.value;
  const { decoded } = body;

  let preference: Preference = {};
  let parameters: Record<string, string> | undefined;
  if (rawParameters !== undefined) {
    // Why intake could not read the body as JSON goes before any later reason.
    const { problem } = decoded;
    // Prefer.
    const prefer = headerValue(request, "prefer");
    const preferred = checkPrefer(prefer, contract);
    if (!preferred.ok) return vendor(preferred.refusal, body, undefined, problem);
    preference = preferred.value;

    // Account.
    parameters = decodedParameters(rawParameters);
    const apiKey = headerValue(request, "api-key")?.trim();
    if (apiKey) {
      const account = checkAccount(config.account, { apiKey, sid: parameters.sid ?? "", phoneNumber: parameters.phone_number ?? "" });
      if (!account.ok) return vendor(account.refusal, body, parameters, problem);
    }

    // The contract's refusals, which no Prefer and no scenario overrides; then the scenarios and
    // test recipients; then the documented answer. With Prism, a request that asks for nothing
    // and that no scenario may choose goes to Prism whole.
    const candidate = { to: recipientOf(decoded.body), sid: parameters.sid ?? "", phoneNumber: parameters.phone_number ?? "" };
    const mayChoose = stages.scenarios.mayChoose(candidate);
    if (!engines.prism || prefer !== undefined || mayChoose) {
      const valid = engines.rules.check({ apiKey, pathParameters: parameters, body: decoded.body });
      if (!valid.ok) return vendor(valid.refusal, body, parameters, problem);
      const chosen = mayChoose ? stages.scenarios.choose(candidate) : undefined;
      if (chosen) return vendor(chosenAnswer(chosen), body, parameters, problem);
      // Documented (the default engine): the example Prefer asks for, or the plain case's.
      if (!engines.prism) return { side: "vendor", reply: engines.documented.preferred(preference), notes: after(problem, noNotes), body, parameters };
    }
  }

  // Documented (the default engine), not this operation: 405 or 404 as Prism answers them.
  if (!engines.prism) return vendor(engines.documented.elsewhere({ method, path, apiKey: headerValue(request, "api-key")?.trim(), body: decoded.body }), body);

  // Engine (Prism).
  const answered = await prismAnswer(
    engines.prism,
    { method, path, query, headers: engineHeaders(request, decoded.contentType), body: decoded.body, preference },
    engines.documented,
  );
  return vendor(answered, body, parameters, onOperation ? decoded.problem : undefined);
}

export async function startMock(options: MockOptions): Promise<MockServer> {
  const document = loadDocument();
  const rules = createFastPath(operation(), contractSchemas());
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
    let answered: Answered | undefined;
    try {
      answered = await answer(request, options, stages);
    } catch (error) {
      // Only a defect of the mock lands here: say so loudly rather than guess an answer.
      answered = vendor(refusals.mockDefect(error), noBody);
    }
    if (answered === undefined) {
      response.destroy(); // The client went away mid-body.
      return;
    }
    const { side, reply, notes, body, parameters } = answered;
    // Stage: latency (and a scenario's delay), on the vendor's side only.
    let delayMs = 0;
    if (side === "vendor") {
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
    // Stage: the status callbacks of an accepted send (an answer with a message_id to a JSON send:
    // queueCallbacks takes no other); then the journal and the log.
    if (callbacks.url(parameters?.sid) !== undefined) queueCallbacks(callbacks, reply, body, parameters?.sid);
    if (side === "vendor") {
      journal.add({
        seq,
        receivedAt,
        method: request.method as string,
        path: request.url as string,
        // One string kept rather than an array of them: fewer objects for the collector to carry.
        rawHeaders: request.rawHeaders.join("\n"),
        body: body.body,
        bodyJson: body.bodyJson,
        bodyTruncated: body.bodyTruncated,
        sid: parameters?.sid,
        phoneNumber: parameters?.phone_number,
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
      method: request.method as string,
      path: request.url as string,
      status: reply.fault ?? reply.status,
      code: codeOf(reply),
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
