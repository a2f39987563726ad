// Starts the mock in-process on a free loopback port and collects its log lines.
import { defaultBodyLimitBytes, type EngineChoice, type MockAccount } from "../../src/mock/config.ts";
import { startMock, type MockOptions, type MockServer } from "../../src/mock/server.ts";
import { operation } from "../../src/contract/operation.ts";
import { secretForms } from "../../src/http/secrets.ts";

export interface TestMock extends MockServer {
  lines: string[];
}

/** `extra`: latency, journal limit, admin token and the other settings, as the environment would give them. */
export async function startTestMock(account: MockAccount = {}, engine: EngineChoice = "fast", extra: Partial<MockOptions> = {}): Promise<TestMock> {
  const lines: string[] = [];
  const mock = await startMock({
    host: "127.0.0.1",
    port: 0,
    account,
    log: "info",
    bodyLimitBytes: defaultBodyLimitBytes,
    engine,
    requestTimeoutMs: 30_000,
    write: (line) => lines.push(line),
    ...extra,
  });
  // Every test that starts a mock with an account (or an admin token) checks every log line for
  // the secret, in every form, when it stops the mock: refused requests and odd paths included.
  const close = async () => {
    await mock.close();
    const forms = [account.apiKey, extra.adminToken].flatMap((secret) => (secret ? secretForms(secret) : []));
    const leaked = lines.filter((line) => forms.some((form) => line.includes(form)));
    if (leaked.length > 0) throw new Error(`the mock logged its account's api-key or admin token in ${leaked.length} line(s)`);
  };
  return { ...mock, close, lines };
}

/** The operation's path for these parameters, written as given (a `+` stays literal). */
export function messagesPath(sid: string, phoneNumber: string): string {
  return operation().path.replace("{sid}", sid).replace("{phone_number}", phoneNumber);
}
