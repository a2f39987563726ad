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
          const largest = Math.max(0, ...records.map((one) => Buffer.byteLength([one.method, one.path, one.rawHeaders, one.body, one.sid, one.status === undefined ? "" : `C${one.status}`].join(""))));
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
