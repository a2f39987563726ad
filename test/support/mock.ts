// Starts the mock in-process on a free loopback port and collects its log lines.
import { defaultBodyLimitBytes, type EngineChoice, type MockAccount } from "../../src/mock/config.ts";
import { startMock, type MockServer } from "../../src/mock/server.ts";
import { operation } from "../../src/contract/operation.ts";
import { secretForms } from "../../src/http/secrets.ts";

export interface TestMock extends MockServer {
  lines: string[];
}

export async function startTestMock(account: MockAccount = {}, engine: EngineChoice = "fast"): Promise<TestMock> {
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
  });
  // Every test that starts a mock with an account checks every log line for the key, in every
  // form, when it stops the mock: refused requests and odd paths included.
  const close = async () => {
    await mock.close();
    const forms = account.apiKey ? secretForms(account.apiKey) : [];
    const leaked = lines.filter((line) => forms.some((form) => line.includes(form)));
    if (leaked.length > 0) throw new Error(`the mock logged its account's api-key in ${leaked.length} line(s)`);
  };
  return { ...mock, close, lines };
}

/** The operation's path for these parameters, written as given (a `+` stays literal). */
export function messagesPath(sid: string, phoneNumber: string): string {
  return operation().path.replace("{sid}", sid).replace("{phone_number}", phoneNumber);
}
