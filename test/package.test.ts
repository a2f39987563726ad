// The packages as a new user gets them: `npm run pack` assembles and packs the kit and the tools;
// each is installed into an empty folder outside the repo: the kit alone, used from a strict
// TypeScript project, its bin run, its spec loaded from the export path; the kit with the tools,
// whose mock, conformance, proxy and callback checker run from node_modules.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rewriteImports, toolsDependencies, toolsName } from "../src/tools/pack.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { fetchWithin } from "./support/wait.ts";

const run = promisify(execFile);
const repo = process.cwd();
const name = JSON.parse(readFileSync("package.json", "utf8")).name as string;
let consumer: string;
let withTools: string;
let packed: { filename: string; files: { path: string }[] };
let packedTools: { filename: string; files: { path: string }[] };
let installOutput: string;
let mock: TestMock;

/** An empty project with these tarballs installed. */
async function project(folder: string, tarballs: string[]): Promise<string> {
  mkdirSync(folder);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const { stdout, stderr } = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs], { cwd: folder });
  return stdout + stderr;
}

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), "kit-package-"));
  // The build is npm test's; the packages are assembled from it and packed as npm pack does.
  const { assemble } = await import("../src/tools/pack.ts");
  const { kit, tools } = assemble();
  const pack = async (folder: string) => (JSON.parse((await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: folder })).stdout) as (typeof packed)[])[0]!;
  packed = await pack(kit);
  packedTools = await pack(tools);
  consumer = join(work, "consumer");
  installOutput = await project(consumer, [join(work, packed.filename)]);
  withTools = join(work, "with-tools");
  installOutput += await project(withTools, [join(work, packed.filename), join(work, packedTools.filename)]);
  mock = await startTestMock();
}, 180_000);

afterAll(async () => {
  await mock?.close();
});

describe("the packed tarball", () => {
  it("holds the built client, CLI and spec, and no tests, sources, caches or secrets", () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(["dist/src/client/index.js", "dist/src/client/index.d.ts", "dist/src/cli/bin.js", "openapi/kaleyra-whatsapp-video.yaml", "generated/kaleyra-whatsapp-video.json", "README.md", "package.json"]));
    for (const path of paths) {
      expect(path).not.toMatch(/(^|\/)(test|tests|conformance|bench|node_modules|build|\.ci)\//);
      expect(path).not.toMatch(/\.test\.|\.tsbuildinfo$|\.env|\.tgz$|^src\/|^dist\/src\/(mock|tools)\//);
    }
  });

  it("depends at run time on openapi-fetch and the validator only, and runs nothing on install", () => {
    const installed = JSON.parse(readFileSync(join(consumer, "node_modules", name, "package.json"), "utf8"));
    expect(Object.keys(installed.dependencies).sort()).toEqual(["ajv", "ajv-formats", "openapi-fetch"]);
    expect(installed.scripts).toBeUndefined();
    expect(installed.devDependencies).toBeUndefined();
    expect(installOutput).not.toMatch(/kaleyra-whatsapp-video/i);
  });

  it("the tools: the mock, proxy and conformance, importing the kit by name, with Prism and fast-check", () => {
    const paths = packedTools.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(["dist/src/mock/run.js", "dist/src/proxy/cli.js", "dist/conformance/cli.js", "bin.js", "package.json"]));
    // One copy of the kit's code: none of its folders is in the tools.
    expect(paths.filter((path) => /^dist\/src\/(client|contract|http|callbacks|cli)\//.test(path))).toEqual([]);
    const installed = JSON.parse(readFileSync(join(withTools, "node_modules", toolsName, "package.json"), "utf8"));
    expect(Object.keys(installed.dependencies).sort()).toEqual([name, ...toolsDependencies].sort());
    expect(installed.scripts).toBeUndefined();
    const server = readFileSync(join(withTools, "node_modules", toolsName, "dist/src/proxy/server.js"), "utf8");
    expect(server).toContain(`from "${name}/dist/src/http/exchange.js"`);
    expect(server).not.toMatch(/from "\.\.\/http\//);
    expect(paths.filter((path) => path.endsWith(".d.ts"))).toEqual([]);
  });

  it("rewrites every form of import into the kit, and only those", () => {
    const file = join(repo, "dist/src/proxy/server.js");
    const source = `import "../http/listen.js";\nimport { a } from "../http/exchange.js";\nconst m = await import("../mock/run.js");\nexport * from '../contract/document.js';\nimport x from "./cli.js";\nimport y from "../../conformance/checks.js";`;
    expect(rewriteImports(source, file, "kit").split("\n")).toEqual([
      'import "kit/dist/src/http/listen.js";',
      'import { a } from "kit/dist/src/http/exchange.js";',
      'const m = await import("../mock/run.js");',
      "export * from 'kit/dist/src/contract/document.js';",
      'import x from "./cli.js";',
      'import y from "../../conformance/checks.js";',
    ]);
  });
});

describe("a consumer project", () => {
  it("type-checks under tsc --strict, with types that are real (a misuse is an error)", async () => {
    writeFileSync(
      join(consumer, "index.ts"),
      `import { createKaleyraClient, createMockAdmin, isKaleyraError, parseStatusCallback, type SendVideoInput, type StatusCallback } from "${name}";

const kaleyra = createKaleyraClient({ baseUrl: process.env.MOCK_URL!, sid: "${sid}", apiKey: "${apiKey}" });
const message: SendVideoInput = { phoneNumber: "${businessNumber}", to: "+919876543210", video: { id: "1166846181421424" }, caption: "Hello" };
try {
  const { messageId, envelope } = await kaleyra.sendVideo(message);
  const code: "WA202" = envelope.code;
  const journaled = await createMockAdmin({ baseUrl: process.env.MOCK_URL! }).requests({ to: message.to });
  const callback: StatusCallback = parseStatusCallback({ meta_object: { value: { statuses: [{ id: "wamid.x", status: "sent", timestamp: "1", recipient_id: "919876543210" }] } }, extra_info: { message_id: messageId }, status: "SENT", message_id: messageId });
  console.log(messageId, code, journaled.some((entry) => entry.response.messageId === messageId), callback.status);
} catch (error) {
  if (isKaleyraError(error) && error.kind === "api") console.error(error.code, error.status);
  throw error;
}
// Checked by the compiler, never run.
export function misuses() {
  // @ts-expect-error: a video is an id or a link
  kaleyra.prepareVideo({ ...message, video: { caption: "no id, no link" } });
  // @ts-expect-error: pods are the contract's
  createKaleyraClient({ pod: "us", sid: "x", apiKey: "y" });
  // @ts-expect-error: a pod or a base URL, never both
  createKaleyraClient({ pod: "in", baseUrl: "https://x.example", sid: "x", apiKey: "y" });
  // @ts-expect-error: one of them is needed
  createKaleyraClient({ sid: "x", apiKey: "y" });
  // @ts-expect-error: an id or a link, never both
  kaleyra.prepareVideo({ ...message, video: { id: "1", link: "https://x.example/v.mp4" } });
  // @ts-expect-error: statuses are the contract's
  const status: StatusCallback["status"] = "LOST";
  // @ts-expect-error: faults are the admin contract's
  createMockAdmin({ baseUrl: "http://127.0.0.1:4010" }).addScenario({ match: {}, respond: { fault: "explode" } });
}
`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022"], types: ["node"], typeRoots: [join(repo, "node_modules/@types")], outDir: "out", skipLibCheck: false },
        include: ["index.ts"],
      }),
    );
    await run(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: consumer });
    const { stdout } = await run(process.execPath, ["out/index.js"], { cwd: consumer, env: { ...process.env, MOCK_URL: mock.url } });
    expect(stdout.trim()).toMatch(/^\S+ WA202 true SENT$/);
  });

  it("gets the kaleyra-video bin", async () => {
    const bin = join(consumer, "node_modules/.bin/kaleyra-video");
    const help = await run(bin, ["--help"], { cwd: consumer });
    expect(help.stdout).toMatch(/^Usage: kaleyra-video <command>/);
    const sent = await run(bin, ["send", "--base-url", mock.url, "--sid", sid, "--phone-number", businessNumber, "--to", "+919876543210", "--video-id", "1"], {
      cwd: consumer,
      env: { ...process.env, KALEYRA_API_KEY: apiKey },
    });
    expect(sent.stdout.trim()).toMatch(/^Sent: message id \S+$/);
  });

  it("without the tools, says in two lines that mock, conform and proxy come with them", async () => {
    const bin = join(consumer, "node_modules/.bin/kaleyra-video");
    for (const [command, what] of [["mock", "the mock"], ["conform", "conform"], ["proxy", "the proxy"]] as const) {
      const failed = await run(bin, [command], { cwd: consumer }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe(`kaleyra-video: ${what} comes with the tools package.\nInstall it beside this one: npm install --save-dev ${toolsName}\n`);
    }
  });

  it("loads the spec from the documented export paths", async () => {
    const script = `for (const path of ["${name}/openapi.yaml", "${name}/openapi.json", "${name}/admin-openapi.yaml", "${name}/admin-openapi.json"]) console.log(new URL(import.meta.resolve(path)).pathname);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    const [yamlPath, jsonPath, adminYamlPath, adminJsonPath] = stdout.trim().split("\n") as [string, string, string, string];
    expect(readFileSync(yamlPath, "utf8")).toMatch(/^openapi: 3\.1\.0/);
    expect(JSON.parse(readFileSync(jsonPath, "utf8")).paths).toHaveProperty(["/v2/{sid}/whatsapp/{phone_number}/messages"]);
    expect(readFileSync(adminYamlPath, "utf8")).toMatch(/^openapi: 3\.1\.0/);
    expect(JSON.parse(readFileSync(adminJsonPath, "utf8")).paths).toHaveProperty(["/__admin/requests"]);
    expect(existsSync(resolve(consumer, "node_modules", name, "dist/src/client/index.js"))).toBe(true);
  });
});

describe("with the tools installed", () => {
  const bin = () => join(withTools, "node_modules/.bin/kaleyra-video");

  it("npx kaleyra-video mock serves the contract; conform passes against it; the proxy records through it", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(bin(), ["mock"], { cwd: withTools, env: { ...process.env, PORT: "0", KALEYRA_MOCK_LOG: "silent", KALEYRA_MOCK_API_KEY: apiKey, KALEYRA_MOCK_SID: sid, KALEYRA_MOCK_PHONE_NUMBERS: businessNumber } });
    let banner = "";
    child.stdout.on("data", (chunk: Buffer) => (banner += chunk.toString()));
    try {
      await expect.poll(() => /listening on (http:\S+)/.exec(banner)?.[1], { timeout: 15_000 }).toBeDefined();
      const url = /listening on (http:\S+)/.exec(banner)![1]!;
      const conformed = await run(bin(), ["conform", "--target", url, "--sid", sid, "--phone-number", businessNumber, "--runs", "20"], { cwd: withTools, env: { ...process.env, KALEYRA_API_KEY: apiKey } });
      expect(conformed.stdout).toMatch(/^PASS: every answer is what the contract says\.$/m);
      const record = join(withTools, "traffic.ndjson");
      const proxy = spawn(bin(), ["proxy", "--upstream", url, "--port", "0", "--record", record], { cwd: withTools, env: { ...process.env, KALEYRA_API_KEY: apiKey } });
      let said = "";
      let out = "";
      proxy.stderr.on("data", (chunk: Buffer) => (said += chunk.toString()));
      proxy.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      await expect.poll(() => /Proxy on (http:\S+)/.exec(said)?.[1], { timeout: 15_000 }).toBeDefined();
      const through = /Proxy on (http:\S+)/.exec(said)![1]!;
      const answer = await fetchWithin(`${through}/v2/${sid}/whatsapp/${businessNumber}/messages`, { method: "POST", headers: { "api-key": apiKey, "content-type": "application/json" }, body: "{}" });
      expect(answer.status).toBe(400);
      const exited = new Promise<number | null>((resolve) => proxy.on("exit", resolve));
      proxy.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(out).toMatch(/^Drift:\n {2}every check passed on every exchange$/m);
      expect(readFileSync(record, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("npx kaleyra-video callbacks listens and sums up", async () => {
    const { stdout } = await run(bin(), ["callbacks", "--port", "0", "--for-ms", "200"], { cwd: withTools });
    expect(stdout.trim()).toBe("0 callback(s) for 0 message(s): no violation.");
  });
});
