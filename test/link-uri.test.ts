// video.link is an absolute http(s) URI by RFC 3986's grammar (the contract's pattern), and every
// part of the kit applies that one rule: the contract's schema, the mock (both engines) and the
// client's check before sending.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKaleyraClient, KaleyraValidationError } from "../src/index.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";

const accepted = [
  "https://a.example/v.mp4",
  "HTTPS://A.EXAMPLE/V.MP4",
  "http://a.example",
  "https://a.example:8443/v.mp4",
  "https://a.example:/v.mp4", // an empty port is RFC 3986 (port = *DIGIT)
  "https://user:pw@a.example/v.mp4",
  "https://a.example/v.mp4?x=1&y=a%20b#t=10",
  "https://a.example/%E2%82%AC.mp4",
  "https://192.0.2.1/v.mp4",
  "https://[2001:db8::1]/v.mp4",
  "https://[::ffff:192.0.2.1]:443/v.mp4",
  "https://a.example/!$&'()*+,;=:@/v.mp4",
];
const refused = [
  "https://a.example:port/v.mp4",
  "https://user@evil@a.example/v.mp4",
  "https://a.example:80:80/v.mp4",
  "https:///v.mp4",
  "https://a.example/%zz.mp4",
  "https://a.example/%2.mp4",
  "https://a.example/a b.mp4",
  "https://[::1/v.mp4",
  "https://[2001:db8::1::2]/v.mp4",
  "https://a.example\\v.mp4",
  "https://a.example/v.mp4#a#b",
  "https://a.example/<v>.mp4",
  "https://a.example/é.mp4",
  "ftp://a.example/v.mp4",
  "//a.example/v.mp4",
  "https:a.example/v.mp4",
  "https://a.example/v.mp4\n",
];

const withLink = (link: string) => {
  const body = validBody();
  body.messaging_object.video = { link };
  return body;
};

let fast: TestMock;
let prism: TestMock;
beforeAll(async () => {
  [fast, prism] = await Promise.all([startTestMock({}, "fast"), startTestMock({}, "prism")]);
});
afterAll(async () => {
  await Promise.all([fast.close(), prism.close()]);
});

describe("video.link: an RFC 3986 absolute http(s) URI", () => {
  const schemas = compileContractSchemas();
  const valid = (link: string) => schemas.check("#/components/schemas/SendVideoRequest", withLink(link)).ok;

  it("the contract accepts exactly the URIs the grammar allows", () => {
    expect(accepted.filter((link) => !valid(link))).toEqual([]);
    expect(refused.filter(valid)).toEqual([]);
  });

  for (const [engine, mock] of [
    ["fast", () => fast],
    ["prism", () => prism],
  ] as const) {
    it(`the mock (${engine}) answers 202 and 400 WA400 by the same rule`, async () => {
      const answers = async (links: string[]) =>
        Promise.all(
          links.map(async (link) => {
            const response = await rawRequest(mock().url, {
              method: "POST",
              path: messagesPath(sid, businessNumber),
              headers: { "content-type": "application/json", "api-key": apiKey },
              body: JSON.stringify(withLink(link)),
            });
            return `${response.status} ${(JSON.parse(response.text) as { code: string }).code}`;
          }),
        );
      expect(await answers(accepted)).toEqual(accepted.map(() => "202 WA202"));
      expect(await answers(refused)).toEqual(refused.map(() => "400 WA400"));
    });
  }

  it("the client refuses the same links before sending, naming the field and the rule in words", () => {
    const client = createKaleyraClient({ baseUrl: "http://127.0.0.1:9", sid, apiKey });
    for (const link of refused) {
      let error: unknown;
      try {
        client.prepareVideo({ phoneNumber: businessNumber, to: "+919876543210", video: { link } });
      } catch (thrown) {
        error = thrown;
      }
      expect(error, link).toBeInstanceOf(KaleyraValidationError);
      const issues = (error as KaleyraValidationError).issues;
      expect(
        issues.map((issue) => issue.field),
        link,
      ).toContain("messaging_object.video.link");
      // The message says what is wrong in words, not with the pattern's two thousand symbols.
      expect((error as Error).message.length, link).toBeLessThan(600);
    }
    for (const link of accepted) expect(() => client.prepareVideo({ phoneNumber: businessNumber, to: "+919876543210", video: { link } }), link).not.toThrow();
  });
});
