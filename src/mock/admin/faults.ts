// Network faults the mock plays instead of an answer, named by the admin contract's `Fault` enum,
// so that a team sees how its code copes with a peer that breaks the connection or the JSON.
import type { ServerResponse } from "node:http";
import { loadAdminDocument } from "../../contract/document.ts";
import type { Fault } from "../model.ts";

export type { Fault };

/** The faults the admin contract names, in its order. */
export function faultNames(): readonly Fault[] {
  return (loadAdminDocument().components.schemas.Fault as { enum: Fault[] }).enum;
}

/** Connections held by `no-response`, cut when the mock stops. */
export type HeldResponses = Set<ServerResponse>;

/**
 * `accepted`: the success's body, cut in half for `malformed-json`. Returns the status sent, if any.
 */
export function playFault(fault: Fault, response: ServerResponse, accepted: string, held: HeldResponses): number | undefined {
  const socket = response.socket;
  switch (fault) {
    case "connection-reset":
      // A TCP RST: the client sees ECONNRESET, as from a crashed peer or a middlebox.
      if (socket && typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
      else socket?.destroy();
      return undefined;
    case "empty-response":
      // The connection closes before a byte of answer (curl: "Empty reply from server").
      socket?.end();
      return undefined;
    case "malformed-json": {
      const cut = accepted.slice(0, Math.max(1, Math.floor(accepted.length / 2)));
      response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(cut), connection: "close" });
      response.end(cut);
      return 202;
    }
    case "no-response":
      held.add(response);
      response.once("close", () => held.delete(response));
      return undefined;
  }
}
