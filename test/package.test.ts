// The package as a new user gets it: `npm pack`, installed into an empty folder outside the repo,
// used from a strict TypeScript project, its bin run, its spec loaded from the export path.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";

const run = promisify(execFile);
const repo = process.cwd();
const name = JSON.parse(readFileSync("package.json", "utf8")).name as string;
let consumer: string;
let packed: { filename: string; files: { path: string }[] };
let mock: TestMock;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), "kit-package-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: repo });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, packed.filename)], { cwd: consumer });
  mock = await startTestMock();
}, 120_000);

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

  it("depends at run time on openapi-fetch and the validator only", () => {
    const installed = JSON.parse(readFileSync(join(consumer, "node_modules", name, "package.json"), "utf8"));
    expect(Object.keys(installed.dependencies).sort()).toEqual(["ajv", "ajv-formats", "openapi-fetch"]);
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

  it("says clearly that mock and conform need the kit's clone", async () => {
    const bin = join(consumer, "node_modules/.bin/kaleyra-video");
    for (const command of ["mock", "conform"]) {
      const failed = await run(bin, [command], { cwd: consumer }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/needs the kit's development dependencies/);
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
