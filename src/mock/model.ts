// The mock's model: the reply every stage hands on, and the fault a reply may carry instead of
// its answer. The stages and the admin API (`admin/`) depend on these types; they depend on none
// of them, so the admin API and the core stay free of cycles.
import type { components } from "../../generated/kaleyra-mock-admin.ts";

type AdminSchemas = components["schemas"];

/** A network fault, named by the admin contract's `Fault` enum. */
export type Fault = AdminSchemas["Fault"];

/** The status callbacks a scenario chooses for an accepted send, named by the admin contract. */
export type CallbackPath = AdminSchemas["CallbackPath"];

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The body already serialized (answers built once from the contract). */
  raw?: string;
  closeConnection?: boolean;
  /** A network fault played instead of this answer (a scenario or a test recipient chose it). */
  fault?: Fault;
  /** What chose the answer: a scenario's id, or `test-recipient`. */
  source?: string;
  /** Milliseconds the scenario holds the answer back, on top of the mock's latency. */
  delayMs?: number;
  /** The status callbacks an accepted answer gets, when a scenario chose them. */
  callbacks?: CallbackPath;
}
