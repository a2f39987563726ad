// The README's recipes for other languages, run as written against a mock on a free port (the
// address is the only word changed): curl and Python's standard library, each in a sandbox of
// its own. They need curl and python3, which a machine with only Node may lack: each runs where
// its tool is found, and says so where it is not.
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";

const written = "http://127.0.0.1:4010";
const section = /^## Use it in your test suite\n([\s\S]*?)^## /m.exec(readFileSync("README.md", "utf8"))?.[1] ?? "";
/** The one block of `language` in the section that uses the mock's address. */
const block = (language: string) => {
  const found = [...section.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))]
    .map(([, code]) => code!)
    .filter((code) => code.includes(written));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const has = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
// Not execFileSync: the mock answers in this process, and a blocked event loop would answer nothing.
const run = async (command: string, args: string[]) => (await promisify(execFile)(command, args, { encoding: "utf8", timeout: 60_000 })).stdout;

describe("the README's recipes over HTTP", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock();
  });
  afterAll(() => mock.close());

  it.runIf(has("curl"))("curl: a send, the sandbox's journal, a scenario, a reset of that sandbox alone", async () => {
    const other = createMockAdmin({ baseUrl: mock.url, sid: "OTHERSANDBOX" });
    await other.addScenario({ match: {}, respond: { example: "low-balance" } });
    const script = block("sh").replace(written, mock.url);
    expect(script).not.toBe(block("sh"));
    const lines = (await run("bash", ["-c", script])).split("\n");
    expect(lines).toHaveLength(5);
    const [sent, journal, scenario, reset, end] = lines;
    expect(JSON.parse(sent!)).toMatchObject({ code: "WA202" });
    expect((JSON.parse(journal!) as { requests: { path: string }[] }).requests.map((entry) => entry.path)).toEqual([
      "/v2/HXSANDBOX42/whatsapp/+918630005920/messages",
    ]);
    expect(Object.keys(JSON.parse(scenario!) as object)).toEqual(["id"]);
    expect([reset, end]).toEqual(["", ""]);
    expect(await createMockAdmin({ baseUrl: mock.url, sid: "HXSANDBOX42" }).requests()).toEqual([]);
    expect((await other.scenarios()).length).toBe(1);
  });

  it.runIf(has("python3"))("Python: the same four calls, with the statuses the admin contract gives", async () => {
    const script = block("python").replace(written, mock.url);
    expect(script).not.toBe(block("python"));
    const printed = (await run("python3", ["-c", script])).trim().split("\n");
    expect(printed.map((line) => Number(/^\((\d{3}),/.exec(line)?.[1]))).toEqual([202, 200, 201, 204]);
    expect(printed[1]).toContain("'/v2/HXSANDBOX43/whatsapp/+918630005920/messages'");
  });
});
