// The mock started with an account (KALEYRA_MOCK_*) answers like the vendor does for it.
import request from "./support/supertest.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, ConfigError } from "../src/mock/config.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";

const otherNumber = "+14155550100";

describe("configFromEnv", () => {
  it("reads the account, trimming and splitting the numbers; unset fields are not checked", () => {
    const config = configFromEnv({
      KALEYRA_MOCK_API_KEY: " k ",
      KALEYRA_MOCK_SID: "SID1",
      KALEYRA_MOCK_PHONE_NUMBERS: `${businessNumber}, ${otherNumber} ,`,
    });
    expect(config.account).toEqual({ apiKey: "k", sid: "SID1", phoneNumbers: [businessNumber, otherNumber] });
    expect(configFromEnv({}).account).toEqual({});
    expect(configFromEnv({ KALEYRA_MOCK_SID: "  " }).account).toEqual({});
  });

  it("listens on 127.0.0.1:4010 unless PORT or HOST say otherwise", () => {
    expect(configFromEnv({})).toMatchObject({ host: "127.0.0.1", port: 4010 });
    expect(configFromEnv({ PORT: "5000", HOST: "::1" })).toMatchObject({ host: "::1", port: 5000 });
  });

  it.each(["abc", "-1", "65536", "1.5"])("refuses PORT=%s with a clear error", (port) => {
    expect(() => configFromEnv({ PORT: port })).toThrow(ConfigError);
    expect(() => configFromEnv({ PORT: port })).toThrow(/PORT must be a whole number/);
  });
});

describe("a mock that knows its account", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber, otherNumber] });
  });
  afterAll(async () => {
    await mock.close();
  });

  const send = (path: string, key = apiKey) => request(mock.url).post(path).set("api-key", key).send(validBody());

  it("accepts the account's key, SID and each registered number, literal or percent-encoded", async () => {
    expect((await send(messagesPath(sid, businessNumber))).body.code).toBe("WA202");
    expect((await send(messagesPath(sid, otherNumber))).body.code).toBe("WA202");
    expect((await send(messagesPath(sid, businessNumber.replace("+", "%2B")))).body.code).toBe("WA202");
  });

  it("answers a wrong key with 401 RBC001", async () => {
    const response = await send(messagesPath(sid, businessNumber), "wrong-key");
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: "RBC001", data: [] });
  });

  it("answers a key that only starts like the right one with 401 RBC001", async () => {
    const response = await send(messagesPath(sid, businessNumber), `${apiKey}x`);
    expect(response.body.code).toBe("RBC001");
  });

  it("answers a wrong SID with 401 RBC001", async () => {
    const response = await send(messagesPath("OTHERSID", businessNumber));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe("RBC001");
  });

  it("answers an unregistered business number with 401 WA401", async () => {
    const response = await send(messagesPath(sid, "+919999999999"));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: "WA401", error: { phone_number: expect.any(String) } });
  });

  it("checks the account before the payload and whatever Prefer asks", async () => {
    const response = await request(mock.url)
      .post(messagesPath(sid, businessNumber))
      .set("api-key", "wrong-key")
      .set("prefer", "code=202")
      .send({ not: "valid" });
    expect(response.body.code).toBe("RBC001");
  });

  it("still answers a missing key with RBC001", async () => {
    const response = await request(mock.url).post(messagesPath(sid, businessNumber)).send(validBody());
    expect(response.body.code).toBe("RBC001");
  });
});
