// The journal's ring (src/mock/admin/journal.ts) against a model: whatever the sizes, the order
// the answers leave in and the texts (multi-byte, empty, absent), it shows the newest records it
// kept, whole, in arrival order, and counts every one it dropped.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createJournal, type JournalRecord } from "../src/mock/admin/journal.ts";

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constant(""));

const record = fc.record({
  method: fc.constantFrom("POST", "GET", "PUT"),
  path: text.map((t) => `/p/${t}`),
  header: text.map((t) => t.replace(/\n/g, " ")),
  body: fc.option(text, { nil: undefined }),
  status: fc.option(fc.constantFrom(202, 400, 401, 500), { nil: undefined }),
  sid: fc.option(fc.stringMatching(/^[A-Z0-9]{1,8}$/), { nil: undefined }),
});

function asRecord(value: typeof record extends fc.Arbitrary<infer T> ? T : never, seq: number): JournalRecord {
  return {
    seq,
    receivedAt: 1_700_000_000_000 + seq,
    method: value.method,
    path: value.path,
    rawHeaders: `x-test\n${value.header}`,
    body: value.body,
    bodyJson: false,
    bodyTruncated: false,
    sid: value.sid,
    phoneNumber: undefined,
    apiKey: undefined,
    status: value.status,
    raw: undefined,
    replyBody: value.status === undefined ? undefined : { code: `C${value.status}`, data: {} },
    fault: undefined,
    scenario: seq % 3 === 0 ? `scenario-${seq}` : undefined,
    delayMs: seq % 7,
  };
}

describe("the journal's ring", () => {
  it("keeps the newest records whole, by count and by bytes, in arrival order, and counts the rest", () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 64, max: 4_000 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (values, limit, smallest, swaps) => {
          const records = values.map((value, seq) => asRecord(value, seq + 1));
          // Room for the largest record at least (one past it is a test of its own below).
          const largest = Math.max(
            0,
            ...records.map((one) =>
              Buffer.byteLength([one.method, one.path, one.rawHeaders, one.body, one.sid, one.status === undefined ? "" : `C${one.status}`].join("")),
            ),
          );
          const journal = createJournal(limit, [], Math.max(smallest, largest));
          // Arrival order is seq; answers (adds) come in a shuffled order nearby.
          const order = values.map((_, i) => i);
          swaps.forEach((swap, i) => {
            const j = swap % order.length;
            if (i < order.length) [order[i], order[j]] = [order[j]!, order[i]!];
          });
          const added = order.map((i) => records[i]!);
          for (const one of added) journal.add(one);
          const { requests, dropped } = journal.read({});

          expect(requests.length).toBeLessThanOrEqual(limit);
          expect(dropped).toBe(added.length - requests.length);
          // The ones kept are the last ones added, shown by arrival.
          const kept = added.slice(added.length - requests.length).sort((a, b) => a.seq - b.seq);
          expect(requests.map((entry) => entry.id)).toEqual(kept.map((one) => String(one.seq)));
          requests.forEach((entry, i) => {
            const one = kept[i]!;
            expect(entry.method).toBe(one.method);
            expect(entry.path).toBe(one.path);
            expect(entry.headers).toEqual({ "x-test": one.rawHeaders.slice("x-test\n".length) });
            expect(entry.body).toBe(one.body ?? null);
            expect(entry.response).toEqual({
              status: one.status ?? null,
              code: one.status === undefined ? null : `C${one.status}`,
              messageId: null,
              fault: null,
              scenario: one.scenario ?? null,
              delayMs: one.delayMs,
            });
          });
          // With room for every record, the count alone decides.
          const roomy = createJournal(limit, [], 1 << 20);
          for (const one of added) roomy.add(one);
          expect(roomy.read({}).requests).toHaveLength(Math.min(limit, added.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("counts a record larger than the whole ring as dropped and keeps the others", () => {
    const make = (seq: number, path: string) => asRecord({ method: "POST", path, header: "h", body: undefined, status: 202, sid: undefined }, seq);
    const small = make(1, "/p/a");
    const fits = Buffer.byteLength(`POST${small.path}${small.rawHeaders}C202`);
    const journal = createJournal(3, [], fits + 2);
    journal.add(small);
    journal.add(make(2, "/p/abc")); // two bytes more: at the ring's size, kept (and the first dropped for room)
    journal.add(make(3, "/p/abcd")); // one past the ring's size
    const { requests, dropped } = journal.read({});
    expect(requests.map((entry) => [entry.id, entry.path])).toEqual([["2", "/p/abc"]]);
    expect(dropped).toBe(2);
  });

  it("clears to empty, then fills again from the start", () => {
    const journal = createJournal(2, [], 200);
    const make = (seq: number) => asRecord({ method: "POST", path: `/p/${"x".repeat(60)}`, header: "h", body: "b", status: 202, sid: undefined }, seq);
    for (const seq of [1, 2, 3]) journal.add(make(seq));
    expect(journal.read({}).dropped).toBeGreaterThan(0);
    journal.clear();
    expect(journal.read({})).toEqual({ requests: [], dropped: 0 });
    journal.add(make(4));
    expect(journal.read({}).requests.map((entry) => entry.id)).toEqual(["4"]);
  });
});

describe("the journal's ring at its edges", () => {
  // A record whose text is exactly `bytes` bytes: only its path has text.
  const sized = (seq: number, bytes: number): JournalRecord => ({
    seq,
    receivedAt: seq,
    method: "",
    path: String.fromCharCode(96 + seq).repeat(bytes),
    rawHeaders: "",
    body: undefined,
    bodyJson: false,
    bodyTruncated: false,
    sid: undefined,
    phoneNumber: undefined,
    apiKey: undefined,
    status: undefined,
    raw: undefined,
    replyBody: undefined,
    fault: undefined,
    scenario: undefined,
    delayMs: 0,
  });
  const paths = (journal: ReturnType<typeof createJournal>) => journal.read({}).requests.map((entry) => entry.path);

  it("drops the records left past the last write when it wraps, before writing over newer ones", () => {
    const journal = createJournal(10, [], 100);
    for (const [seq, bytes] of [
      [1, 20],
      [2, 20],
      [3, 20],
      [4, 20],
      [5, 15],
    ] as const)
      journal.add(sized(seq, bytes));
    journal.add(sized(6, 30)); // wraps to 0: drops 1 and 2
    journal.add(sized(7, 30)); // 30..60: drops 3
    journal.add(sized(9, 5)); // 60..65: drops 4
    journal.add(sized(8, 40)); // 65 + 40 > 100: wraps; 5 (at 80, past 65) goes, then 6 (0..30) and 7 (30..60)
    expect(paths(journal)).toEqual(["h".repeat(40), "i".repeat(5)]);
    expect(journal.read({}).dropped).toBe(7);
  });

  it("fills the ring to its last byte before wrapping", () => {
    const journal = createJournal(10, [], 100);
    for (const seq of [1, 2, 3, 4]) journal.add(sized(seq, 25)); // exactly 100 bytes
    expect(paths(journal)).toHaveLength(4);
    journal.add(sized(5, 1));
    expect(paths(journal)).toEqual(["b".repeat(25), "c".repeat(25), "d".repeat(25), "e"]);
  });

  it("shows an entry's code and message id only for a sent answer that is not a fault", () => {
    const journal = createJournal(10, []);
    const base = { ...sized(1, 1), status: 202, raw: '{"code":"WA202","data":{"message_id":"M1"}}' };
    journal.add(base);
    journal.add({ ...base, seq: 2, fault: "malformed-json" });
    journal.add({ ...base, seq: 3, status: undefined, raw: undefined, replyBody: { code: "X" } });
    journal.add({ ...base, seq: 4, raw: undefined, replyBody: { code: "WA500", data: {} }, status: 500 });
    journal.add({ ...base, seq: 5, status: 0 });
    expect(journal.read({}).requests.map((entry) => [entry.response.status, entry.response.code, entry.response.messageId, entry.response.fault])).toEqual([
      [202, "WA202", "M1", null],
      [202, null, null, "malformed-json"],
      [null, null, null, null],
      [500, "WA500", null, null],
      [0, "WA202", "M1", null],
    ]);
  });

  it("masks each header value but the api-key's, which is always ***, and keeps repeated headers joined", () => {
    const journal = createJournal(10, ["secret-key-1"]);
    journal.add({ ...sized(1, 1), rawHeaders: ["API-Key", "anything", "X-A", "1", "x-a", "secret-key-1", "Empty", ""].join("\n") });
    expect(journal.read({}).requests[0]!.headers).toEqual({ "api-key": "***", "x-a": "1, ***", empty: "" });
    journal.clear();
    journal.add({ ...sized(2, 1), rawHeaders: "" });
    expect(journal.read({}).requests[0]!.headers).toEqual({});
  });
});
