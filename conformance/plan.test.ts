// The plan alone: what a run would send, decided without a server.
import { describe, expect, it } from "vitest";
import { businessNumber, sid } from "../test/support/requests.ts";
import { addressed, buildPlan, fictionalRecipient } from "./plan.ts";

const safePlan = () => buildPlan({ sid, phoneNumber: businessNumber, to: fictionalRecipient, allowSend: false, recipientFixed: true, checksKeys: true });

describe("addressed", () => {
  it("sets the recipient of a message, and leaves anything else as it was", () => {
    expect(addressed({ messaging_object: { to: "+1", type: "video" } }, "+2")).toEqual({ messaging_object: { to: "+2", type: "video" } });
    for (const other of [
      null,
      "text",
      5,
      {},
      { messaging_object: null },
      { messaging_object: "x" },
      { messaging_object: { to: 5 } },
      { messaging_object: {} },
    ]) {
      expect(addressed(other, "+2"), JSON.stringify(other)).toEqual(other);
    }
  });

  it("changes a copy, never the body given", () => {
    const body = { messaging_object: { to: "+1" } };
    addressed(body, "+2");
    expect(body.messaging_object.to).toBe("+1");
  });
});

describe("the safe plan", () => {
  it("leaves out the path parameters' negatives: a server that does not care how the path is written would deliver them", () => {
    const full = buildPlan({ sid, phoneNumber: businessNumber, to: fictionalRecipient, allowSend: true, recipientFixed: true, checksKeys: true });
    const path = full.filter((one) => one.title.startsWith("path "));
    expect(new Set(path.map((one) => one.title.split(":")[0]))).toEqual(new Set(["path sid", "path phone_number"]));
    expect(path.every((one) => one.expect === "refused" && one.mayBeAccepted && one.request.key === "account")).toBe(true);
    expect(safePlan().filter((one) => one.title.startsWith("path "))).toEqual([]);
  });

  it("sends bodies that are not JSON exactly as written", () => {
    const bodies = Object.fromEntries(
      safePlan()
        .filter((one) => ["malformed JSON", "empty body", "JSON null"].includes(one.title))
        .map((one) => [one.title, one.request.body]),
    );
    expect(bodies).toEqual({ "malformed JSON": '{"messaging_object": {', "empty body": "", "JSON null": "null" });
  });
});
