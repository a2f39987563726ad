// A receiver of status callbacks for node:http (and Express, whose handlers take the same two
// arguments): the body read with a limit and checked against the contract, then the team's own
// handler; 2xx only once that handler has resolved, so a callback the team's code did not take
// is sent again by the vendor.
import type { IncomingMessage, ServerResponse } from "node:http";
import { isKaleyraError } from "../client/errors.ts";
import type { StatusCallback } from "../contract/webhook.ts";
import { readBody } from "../http/request-body.ts";
import { parseStatusCallback } from "./parse.ts";

export interface StatusCallbackHandlerOptions {
  /** The largest body read, in bytes; 64 KiB by default (a callback is about one). */
  maxBodyBytes?: number;
  /** Told of each callback refused as invalid (400) or failed by the team's handler (500). */
  onError?: (error: unknown) => void;
}

export const defaultCallbackBodyBytes = 64 * 1024;

function answer(response: ServerResponse, status: number, body?: object): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function statusCallbackHandler(
  onCallback: (callback: StatusCallback) => unknown,
  options: StatusCallbackHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const limit = options.maxBodyBytes ?? defaultCallbackBodyBytes;
  return async (request, response) => {
    if (request.method !== "POST") {
      response.setHeader("allow", "POST");
      return answer(response, 405, { error: "status callbacks are POSTed" });
    }
    const read = await readBody(request, limit);
    if (read.kind === "aborted") {
      response.destroy();
      return;
    }
    if (read.kind === "too-large") {
      response.setHeader("connection", "close");
      return answer(response, 413, { error: `the body is larger than ${limit} bytes` });
    }
    let callback: StatusCallback;
    try {
      callback = parseStatusCallback(read.bytes);
    } catch (error) {
      options.onError?.(error);
      const issues = isKaleyraError(error) && error.kind === "validation" ? error.issues.map(({ field, message }) => ({ field, message })) : [];
      return answer(response, 400, { error: "not a status callback of the contract", issues });
    }
    try {
      await onCallback(callback);
    } catch (error) {
      // The vendor sends it again: answering 2xx here would lose it.
      options.onError?.(error);
      return answer(response, 500, { error: "the receiver's handler failed" });
    }
    answer(response, 204);
  };
}
