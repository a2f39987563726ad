// The journal: what the code under test sent, and what the mock answered, oldest first. Kept
// cheap on the hot path. Entries live for a thousand requests: as strings and objects on the JS
// heap they would be copied and promoted by every scavenge, which costs more than the rest of a
// request. So a record's text is written once, as UTF-8, into one ring of bytes outside the heap,
// and its numbers into typed arrays; masking, parsing, the code and the message id are worked
// out only when someone reads the journal.
import type { components } from "../../../generated/kaleyra-mock-admin.ts";
import { createMasker, keysIn, maskDeep, maskedSecret, type Masker } from "../../http/secrets.ts";
import { faultNames, type Fault } from "./faults.ts";
import { recipientOf } from "../../contract/operation.ts";
import { loadAdminDocument } from "../../contract/document.ts";

export type JournalEntry = components["schemas"]["JournalEntry"];
export type JournalPage = components["schemas"]["Journal"];

/** The longest SID a sandbox takes (the admin contract's `Sid`); longer ones are no sandbox's. */
const sandboxSidMaxLength = (loadAdminDocument().components.schemas.Sid as { maxLength: number }).maxLength;

/**
 * A SID as the column keeps it: a copy of its own, since a slice of the request's path would
 * keep the whole path alive for as long as the entry.
 */
function sidColumnValue(sid: string | undefined): string | undefined {
  if (sid === undefined || sid.length > sandboxSidMaxLength) return undefined;
  return ` ${sid}`.slice(1);
}

/** The flag of an entry a sandbox's clear removed. */
const cleared = 4;

/** Bodies larger than this are kept as the start of their text. */
export const journalBodyLimitBytes = 64 * 1024;

/** What the server knows of one answered request. */
export interface JournalRecord {
  /** Arrival order: the journal is ordered by it, whatever order the answers left in. */
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  /** The raw header lines, name and value alternating, joined with `\n` (which no header holds). */
  rawHeaders: string;
  /** The body's text, or the start of it when truncated; undefined when empty or not read. */
  body: string | undefined;
  /** `body` is JSON text that parsed: the entry shows it parsed. */
  bodyJson: boolean;
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
  add(record: JournalRecord): void;
  read(filter: JournalFilter): JournalPage;
  /** Forgets every entry, or a sandbox's (the entries with that SID) when `sid` is given. */
  clear(sid?: string): void;
}

function envelopeFields(body: unknown): { code: string | null; messageId: string | null } {
  const envelope = body as { code?: unknown; data?: { message_id?: unknown } } | null | undefined;
  return {
    code: typeof envelope?.code === "string" ? envelope.code : null,
    messageId: typeof envelope?.data?.message_id === "string" ? envelope.data.message_id : null,
  };
}

function headersOf(joined: string, mask: Masker): Record<string, string> {
  // No prototype: a header named __proto__ or constructor is kept like any other.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawHeaders = joined === "" ? [] : joined.split("\n");
  for (let i = 0; i < rawHeaders.length; i += 2) {
    // A name is the client's text too: a key put there is masked like one in a value.
    const name = mask(rawHeaders[i]!).toLowerCase();
    const value = name === "api-key" ? maskedSecret : mask(rawHeaders[i + 1]!);
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** The texts of a record, in the order they are written; `code` and `messageId` only for answers not serialized ahead. */
const textFields = ["method", "path", "rawHeaders", "body", "sid", "phoneNumber", "apiKey", "raw", "code", "messageId"] as const;
type TextField = (typeof textFields)[number];
type Texts = Record<TextField, string | undefined>;

/** Bytes of text the ring holds per entry of the limit (most requests take about one KiB), and room for the largest record. */
const ringBytesPerEntry = 2 * 1024;
const largestRecordBytes = 3 * (journalBodyLimitBytes + 2 * 16 * 1024) + 64 * 1024;
// Above: the body kept (64 KiB of text, up to 3 bytes a code unit), the headers and the target
// (Node reads at most 16 KiB of them), and room for the rest.

/**
 * `secrets`: the mock's own (its account's key, its admin token), masked in every entry beside
 * each request's own api-key.
 */
export function createJournal(limit: number, secrets: readonly (string | undefined)[], ringBytes = limit * ringBytesPerEntry + largestRecordBytes): Journal {
  const slots = Math.max(limit, 1);
  const capacity = limit === 0 ? 0 : ringBytes;
  let ring = Buffer.alloc(0); // allocated on the first record
  // Columns, one entry per slot; a slot is reused once its record is dropped.
  const seqs = new Float64Array(slots);
  const receivedAts = new Float64Array(slots);
  const statuses = new Int16Array(slots); // -1: none sent
  const delays = new Float64Array(slots);
  const flags = new Uint8Array(slots); // 1: body is JSON; 2: truncated; 4: cleared; fault index + 1 in bits 4–7
  const starts = new Float64Array(slots);
  const byteLengths = new Float64Array(slots);
  const lengths = new Int32Array(slots * textFields.length); // code units; -1: undefined
  const scratch = new Int32Array(textFields.length);
  const scenarios: (string | undefined)[] = new Array<string | undefined>(slots); // rare: a reference only when set
  // The SID of each entry, for a sandbox's reads and clears without decoding its texts.
  const sids: (string | undefined)[] = new Array<string | undefined>(slots);
  let first = 0; // the oldest slot in use
  let size = 0;
  let writeAt = 0; // the next byte of the ring to write
  let dropped = 0;
  const faults = faultNames();

  const dropOldest = () => {
    scenarios[first] = undefined;
    sids[first] = undefined;
    first = (first + 1) % slots;
    size--;
    dropped++;
  };

  const maskers = new Map<string, Masker>();
  const own = createMasker(secrets);
  const maskerFor = (key: string | undefined): Masker => {
    if (key === undefined) return own;
    let masker = maskers.get(key);
    if (!masker) {
      const theirs = createMasker(keysIn(key));
      masker = (text, cut) => own(theirs(text, cut), cut);
      maskers.set(key, masker);
    }
    return masker;
  };

  const textsOf = (slot: number): Texts => {
    const whole = ring.toString("utf8", starts[slot], starts[slot]! + byteLengths[slot]!);
    const texts = {} as Texts;
    let at = 0;
    textFields.forEach((field, index) => {
      const length = lengths[slot * textFields.length + index]!;
      texts[field] = length < 0 ? undefined : whole.slice(at, at + length);
      if (length > 0) at += length;
    });
    return texts;
  };

  const entryOf = (slot: number, texts: Texts, body: unknown): JournalEntry => {
    const mask = maskerFor(texts.apiKey);
    const status = statuses[slot]! < 0 ? null : statuses[slot]!;
    const faultIndex = flags[slot]! >> 4;
    const fault = faultIndex === 0 ? null : faults[faultIndex - 1]!;
    let answer: { code: string | null; messageId: string | null } = { code: texts.code ?? null, messageId: texts.messageId ?? null };
    if (fault !== null || status === null) answer = { code: null, messageId: null };
    else if (texts.raw !== undefined) answer = envelopeFields(JSON.parse(texts.raw));
    return {
      id: String(seqs[slot]),
      receivedAt: new Date(receivedAts[slot]!).toISOString(),
      method: mask(texts.method ?? ""),
      path: mask(texts.path ?? ""),
      headers: headersOf(texts.rawHeaders ?? "", mask),
      // A body kept to the limit may end in the first characters of a key: masked as well.
      body: body === undefined ? null : typeof body === "string" && (flags[slot]! & 2) !== 0 ? mask(body, true) : maskDeep(body, mask),
      bodyTruncated: (flags[slot]! & 2) !== 0,
      response: { status, ...answer, fault, scenario: scenarios[slot] ?? null, delayMs: delays[slot]! },
    };
  };

  return {
    add(record) {
      if (limit === 0) return;
      if (ring.length === 0) ring = Buffer.allocUnsafe(capacity);
      const answer = record.raw === undefined ? envelopeFields(record.replyBody) : undefined;
      // One string, one write: the fields are told apart by their lengths in code units.
      const texts = [
        record.method,
        record.path,
        record.rawHeaders,
        record.body,
        record.sid,
        record.phoneNumber,
        record.apiKey,
        record.raw,
        answer?.code ?? undefined,
        answer?.messageId ?? undefined,
      ];
      let joined = "";
      for (let index = 0; index < texts.length; index++) {
        const text = texts[index];
        scratch[index] = text === undefined ? -1 : text.length;
        if (text !== undefined) joined += text;
      }
      const bytes = Buffer.byteLength(joined);
      if (bytes > capacity) {
        // Larger than the whole ring (not within the mock's own limits): counted, not kept.
        dropped++;
        return;
      }
      if (size === slots) dropOldest();
      const slot = (first + size) % slots;
      lengths.set(scratch, slot * textFields.length);
      if (writeAt + bytes > capacity) {
        // The tail past the last write goes unused; the records still there are the oldest.
        while (size > 0 && starts[first]! >= writeAt) dropOldest();
        writeAt = 0;
      }
      // Records ahead of the write, in the bytes it takes, are the oldest: drop them.
      while (size > 0 && starts[first]! < writeAt + bytes && starts[first]! + byteLengths[first]! > writeAt) dropOldest();
      ring.write(joined, writeAt, "utf8");
      starts[slot] = writeAt;
      byteLengths[slot] = bytes;
      writeAt += bytes;
      seqs[slot] = record.seq;
      receivedAts[slot] = record.receivedAt;
      statuses[slot] = record.status ?? -1;
      delays[slot] = record.delayMs;
      flags[slot] = (record.bodyJson ? 1 : 0) | (record.bodyTruncated ? 2 : 0) | (record.fault === undefined ? 0 : (faults.indexOf(record.fault) + 1) << 4);
      scenarios[slot] = record.scenario;
      sids[slot] = sidColumnValue(record.sid);
      size++;
    },
    read(filter) {
      maskers.clear(); // Compiled afresh for each read: keys seen long ago are not kept.
      const inUse = Array.from({ length: size }, (_, i) => (first + i) % slots);
      // Answers leave out of order (delays): the journal is shown in arrival order.
      inUse.sort((a, b) => seqs[a]! - seqs[b]!);
      const requests: JournalEntry[] = [];
      for (const slot of inUse) {
        if (flags[slot]! & cleared) continue;
        if (filter.status !== undefined && statuses[slot] !== filter.status) continue;
        if (filter.sid !== undefined && sids[slot] !== filter.sid) continue;
        const texts = textsOf(slot);
        if (filter.phoneNumber !== undefined && texts.phoneNumber !== filter.phoneNumber) continue;
        const body = flags[slot]! & 1 ? (JSON.parse(texts.body!) as unknown) : texts.body;
        if (filter.to !== undefined && recipientOf(body) !== filter.to) continue;
        const entry = entryOf(slot, texts, body);
        if (filter.code !== undefined && entry.response.code !== filter.code) continue;
        requests.push(entry);
      }
      return { requests, dropped };
    },
    clear(sid) {
      if (sid !== undefined) {
        // A sandbox's entries are marked, not moved: the ring keeps its order, and they leave with the oldest.
        for (let i = 0; i < size; i++) {
          const slot = (first + i) % slots;
          if (sids[slot] === sid) flags[slot] = flags[slot]! | cleared;
        }
        return;
      }
      scenarios.fill(undefined);
      sids.fill(undefined);
      first = 0;
      size = 0;
      writeAt = 0;
      dropped = 0;
    },
  };
}
