// The journal: what the code under test sent, and what the mock answered, oldest first. Kept
// cheap on the hot path: a record holds references to what the request already produced, and
// the masking, the code and the message id are worked out only when someone reads the journal.
import type { components } from "../../../generated/kaleyra-mock-admin.ts";
import { createMasker, maskDeep, maskedSecret, type Masker } from "../../http/secrets.ts";
import type { Fault } from "./faults.ts";

export type JournalEntry = components["schemas"]["JournalEntry"];
export type JournalPage = components["schemas"]["Journal"];

/** Bodies larger than this are kept as the start of their text. */
export const journalBodyLimitBytes = 64 * 1024;

/** What the server knows of one answered request. */
export interface JournalRecord {
  /** Arrival order: the journal is ordered by it, whatever order the answers left in. */
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  rawHeaders: readonly string[];
  /** The decoded body (parsed JSON, text, or undefined when empty), or the start of its text when truncated. */
  body: unknown;
  bodyTruncated: boolean;
  /** Percent-decoded path parameters, when the path is the operation's. */
  sid: string | undefined;
  phoneNumber: string | undefined;
  /** The request's api-key: masked wherever it appears when the journal is read. */
  apiKey: string | undefined;
  status: number | undefined;
  /** The answer's body, serialized or not, read for its code and message id. */
  raw: string | undefined;
  replyBody: unknown;
  fault: Fault | undefined;
  scenario: string | undefined;
  delayMs: number;
}

export interface JournalFilter {
  to?: string;
  code?: string;
  status?: number;
  sid?: string;
  phoneNumber?: string;
}

export interface Journal {
  readonly enabled: boolean;
  add(record: JournalRecord): void;
  read(filter: JournalFilter): JournalPage;
  clear(): void;
}

function recipientOf(body: unknown): string | undefined {
  const to = (body as { messaging_object?: { to?: unknown } } | null | undefined)?.messaging_object?.to;
  return typeof to === "string" ? to : undefined;
}

function codeAndMessageId(record: JournalRecord): { code: string | null; messageId: string | null } {
  if (record.fault !== undefined) return { code: null, messageId: null };
  let body = record.replyBody;
  if (record.raw !== undefined) {
    try {
      body = JSON.parse(record.raw);
    } catch {
      return { code: null, messageId: null };
    }
  }
  const envelope = body as { code?: unknown; data?: { message_id?: unknown } } | null | undefined;
  const code = typeof envelope?.code === "string" ? envelope.code : null;
  const messageId = typeof envelope?.data?.message_id === "string" ? envelope.data.message_id : null;
  return { code, messageId };
}

function headersOf(rawHeaders: readonly string[], mask: Masker): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = name === "api-key" ? maskedSecret : mask(rawHeaders[i + 1]!);
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/**
 * `secrets`: the mock's own (its account's key, its admin token), masked in every entry beside
 * each request's own api-key.
 */
export function createJournal(limit: number, secrets: readonly (string | undefined)[]): Journal {
  let records: JournalRecord[] = [];
  let dropped = 0;
  const maskers = new Map<string, Masker>();
  const own = createMasker(secrets);
  const maskerFor = (key: string | undefined): Masker => {
    if (key === undefined) return own;
    let masker = maskers.get(key);
    if (!masker) {
      const theirs = createMasker([key]);
      masker = (text) => own(theirs(text));
      maskers.set(key, masker);
    }
    return masker;
  };

  const entryOf = (record: JournalRecord): JournalEntry => {
    const mask = maskerFor(record.apiKey);
    return {
      id: String(record.seq),
      receivedAt: new Date(record.receivedAt).toISOString(),
      method: mask(record.method),
      path: mask(record.path),
      headers: headersOf(record.rawHeaders, mask),
      body: record.body === undefined ? null : maskDeep(record.body, mask),
      bodyTruncated: record.bodyTruncated,
      response: {
        status: record.status ?? null,
        ...(record.status === undefined ? { code: null, messageId: null } : codeAndMessageId(record)),
        fault: record.fault ?? null,
        scenario: record.scenario ?? null,
        delayMs: record.delayMs,
      },
    };
  };

  return {
    enabled: limit > 0,
    add(record) {
      if (limit === 0) return;
      // Answers leave out of order (delays); entries stay in arrival order.
      let at = records.length;
      while (at > 0 && records[at - 1]!.seq > record.seq) at--;
      records.splice(at, 0, record);
      if (records.length > limit) {
        dropped += records.length - limit;
        records = records.slice(records.length - limit);
      }
    },
    read(filter) {
      maskers.clear(); // Compiled afresh for each read: keys seen long ago are not kept.
      const requests: JournalEntry[] = [];
      for (const record of records) {
        if (filter.sid !== undefined && record.sid !== filter.sid) continue;
        if (filter.phoneNumber !== undefined && record.phoneNumber !== filter.phoneNumber) continue;
        if (filter.status !== undefined && record.status !== filter.status) continue;
        if (filter.to !== undefined && recipientOf(record.body) !== filter.to) continue;
        const entry = entryOf(record);
        if (filter.code !== undefined && entry.response.code !== filter.code) continue;
        requests.push(entry);
      }
      return { requests, dropped };
    },
    clear() {
      records = [];
      dropped = 0;
    },
  };
}
