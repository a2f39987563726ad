// The CLI's words, unit by unit: errors as text (two lines at most) and as data, a port that
// cannot be bound, and the contract's Markdown as plain text.
import { describe, expect, it } from "vitest";
import { KaleyraAdminError, KaleyraApiError, KaleyraTransportError, KaleyraValidationError } from "../src/client/errors.ts";
import { errorAsJson, errorAsText, listenProblem, UsageError } from "../src/cli/output.ts";
import { inFlags } from "../src/cli/send.ts";
import { plainText } from "../src/contract/plain-text.ts";
import { bindProblem } from "../src/http/listen.ts";

const request = { method: "POST", url: "http://127.0.0.1:4010/v2/S/whatsapp/+91/messages" };
const api = (documented: boolean, error: Record<string, string> = {}) =>
  new KaleyraApiError({
    status: 400,
    envelope: { code: "WA400", message: "Incorrect payload", data: {}, error } as never,
    documented,
    reason: "incorrect-payload",
    request,
  });

describe("errors as text: at most two lines", () => {
  it("an API error: the code, the status, the message; the vendor's details on one line", () => {
    expect(errorAsText(api(true))).toBe("Error WA400 (HTTP 400): Incorrect payload");
    expect(errorAsText(api(false, { video: "bad id.", to: "bad number" }))).toBe(
      "Error WA400 (HTTP 400) (not a code the contract documents): Incorrect payload\n  video: bad id; to: bad number",
    );
  });
  it("a validation error: one issue a field, in the command's words, plain text", () => {
    const error = new KaleyraValidationError(
      [
        { field: "messaging_object.video.link", rule: "pattern", message: "does not have the required form — A `public` link." },
        { field: "messaging_object.video.link", rule: "format", message: 'must match format "uri"' },
        { field: "phoneNumber", rule: "pattern", message: "**must** be E.164" },
      ],
      request,
    );
    expect(errorAsText(error, inFlags)).toBe(
      "Not sent: the request breaks the contract.\n  --video-link: does not have the required form — A public link; --phone-number: must be E.164",
    );
    expect(errorAsText(error)).toBe(
      "Not sent: the request breaks the contract.\n  messaging_object.video.link: does not have the required form — A public link; phoneNumber: must be E.164",
    );
    expect(errorAsText(new KaleyraValidationError([], request, "The `options` cannot work"))).toMatch(/^Not sent: The options cannot work/);
  });
  it("transport and admin errors: one line", () => {
    expect(errorAsText(new KaleyraTransportError({ reason: "timeout", message: "no answer within 5 ms", request }))).toBe(
      "Error (timeout): no answer within 5 ms",
    );
    expect(
      errorAsText(
        new KaleyraAdminError({
          status: 409,
          problem: { type: "about:blank", title: "Conflict", status: 409, detail: "too many scenarios", errors: [] } as never,
          request,
        }),
      ),
    ).toBe("Error (HTTP 409) from the mock's admin API: too many scenarios");
  });
});

describe("errors as data (--json)", () => {
  it("each kind with what a script needs", () => {
    expect(errorAsJson(api(true, { video: "bad" }))).toEqual({
      ok: false,
      kind: "api",
      status: 400,
      code: "WA400",
      documented: true,
      reason: "incorrect-payload",
      message: "Incorrect payload",
      details: { video: "bad" },
    });
    const issues = [{ field: "to", rule: "pattern", message: "bad" }];
    expect(errorAsJson(new KaleyraValidationError(issues, request))).toEqual({
      ok: false,
      kind: "validation",
      message: expect.stringMatching(/^The request breaks the contract, so it was not sent/),
      issues,
    });
    expect(errorAsJson(new KaleyraTransportError({ reason: "network", message: "refused", request }))).toEqual({
      ok: false,
      kind: "transport",
      reason: "network",
      status: null,
      message: "refused",
    });
    expect(errorAsJson(new KaleyraTransportError({ reason: "redirect", message: "302", request, status: 302 }))).toMatchObject({ status: 302 });
    expect(
      errorAsJson(
        new KaleyraAdminError({
          status: 400,
          problem: { type: "about:blank", title: "Bad", status: 400, detail: "no", errors: [{ field: "x", message: "y" }] } as never,
          request,
        }),
      ),
    ).toEqual({ ok: false, kind: "admin", status: 400, message: "no", errors: [{ field: "x", message: "y" }] });
  });
});

describe("a port that cannot be bound", () => {
  it("in use, forbidden, or not this machine's: one line; anything else is not ours to word", () => {
    expect(listenProblem({ code: "EADDRINUSE" }, "127.0.0.1", 4030)).toEqual(
      new UsageError("port 4030 on 127.0.0.1 is in use; pick another with --port (0 picks a free one)"),
    );
    expect(listenProblem({ code: "EACCES" }, "0.0.0.0", 80)?.message).toBe(
      "cannot listen on 0.0.0.0:80 (EACCES); pick another with --port (0 picks a free one)",
    );
    expect(bindProblem({ code: "EADDRNOTAVAIL" }, "10.9.9.9", 1, "try again")).toBe("cannot listen on 10.9.9.9:1 (EADDRNOTAVAIL); try again");
    expect(listenProblem({ code: "ENOENT" }, "h", 1)).toBeUndefined();
    expect(listenProblem(new Error("x"), "h", 1)).toBeUndefined();
    expect(new UsageError("x").name).toBe("UsageError");
  });
});

describe("the contract's Markdown as plain text", () => {
  it("unwraps code spans, emphasis and links, and joins lines", () => {
    expect(plainText("E.164: `+`, then digits")).toBe("E.164: +, then digits");
    expect(plainText("``a ` b`` and `c`")).toBe("a ` b and c");
    expect(plainText("**bold** and __strong__ and *em*")).toBe("bold and strong and em");
    expect(plainText("messaging_object_to and 2*3*4 and snake_case_name")).toBe("messaging_object_to and 2*3*4 and snake_case_name");
    expect(plainText("see [the page](https://x.y/z) now")).toBe("see the page (https://x.y/z) now");
    expect(plainText("  one\n   two  \n\nthree ")).toBe("one two three");
    expect(plainText("a ** b ** c")).toBe("a ** b ** c");
    expect(plainText("[not a link] (x)")).toBe("[not a link] (x)");
    expect(plainText("`unclosed")).toBe("`unclosed");
  });
  it("in the send command's words: the client's fields and options become flags", () => {
    expect(inFlags("sid")).toBe("--sid");
    expect(inFlags("to")).toBe("--to");
    expect(inFlags("pod")).toBe("--pod");
    expect(inFlags("extra_info.ref1: too long; extra_info.ref: too long; extra_info.wa_source")).toBe("--ref1: too long; --ref: too long; --wa-source");
    expect(inFlags("use https, or set allowInsecureHttp; baseUrl, timeoutMs, maxResponseBytes, apiKey")).toBe(
      "use https, or set --allow-insecure-http; --base-url, --timeout-ms, --max-response-bytes, KALEYRA_API_KEY",
    );
    expect(inFlags("messaging_object.video")).toBe("--video-id or --video-link");
    expect(inFlags("the account sid names")).toBe("the account sid names");
    expect(inFlags("phoneNumberish")).toBe("phoneNumberish");
  });
});

describe("plain text from the contract's CommonMark, at its edges", () => {
  it("trims a code span's inner spaces, and leaves a star glued to a word alone", () => {
    expect(plainText("use ` a b ` here")).toBe("use a b here");
    expect(plainText("*a*b and a*b* stay; *c* goes")).toBe("*a*b and a*b* stay; c goes");
    expect(plainText("**bold** and __also__, [the page](https://example.org/x)")).toBe("bold and also, the page (https://example.org/x)");
    expect(plainText("  two\n   lines  ")).toBe("two lines");
  });
});

describe("plain text from the contract's CommonMark, at the edges of each rule", () => {
  it("trims a code span's inner spaces, and leaves a star glued to a word as it is", () => {
    expect(plainText("a ` b ` c")).toBe("a b c");
    expect(plainText("x*a*b and a*b*")).toBe("x*a*b and a*b*");
    expect(plainText("*a* b")).toBe("a b");
    expect(plainText("[the page](https://example.org/p) and\n  more")).toBe("the page (https://example.org/p) and more");
  });
});
