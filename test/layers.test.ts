// The layering of .dependency-cruiser.cjs bites: on a planted tree it reports exactly the upward
// import and the cycle planted there (test/fixtures/layers/), and on the kit's tree nothing.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cruise, type ICruiseResult, type IConfiguration } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixture = join(root, "test/fixtures/layers");
const config = createRequire(import.meta.url)(join(root, ".dependency-cruiser.cjs")) as Required<Pick<IConfiguration, "forbidden" | "options">>;

async function cruised(baseDir: string, folders: string[]): Promise<ICruiseResult> {
  const { output } = await cruise(folders, { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir });
  return output as ICruiseResult;
}

const violations = (result: ICruiseResult) => result.summary.violations.map(({ rule, from, to }) => ({ rule: rule.name, from, to }));

describe("the layering rules", () => {
  it("report exactly the planted upward import and the planted cycle", async () => {
    expect(violations(await cruised(fixture, ["src"]))).toEqual([
      { rule: "client-imports-down-only", from: "src/client/send.ts", to: "src/callbacks/parse.ts" },
      { rule: "no-circular", from: "src/http/edge.ts", to: "src/http/secrets.ts" },
    ]);
  });

  it("fail the command npm run lint:layers runs, naming both", async () => {
    const cli = join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
    const failed = await promisify(execFile)(process.execPath, [cli, "src", "--config", join(root, ".dependency-cruiser.cjs")], { cwd: fixture }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stdout.match(/error [\w-]+: \S+/g)?.sort()).toEqual([
      "error client-imports-down-only: src/client/send.ts",
      "error no-circular: src/http/edge.ts",
    ]);
  });

  it("hold on the kit's tree, each rule naming a room that is there", async () => {
    const result = await cruised(root, ["src", "conformance"]);
    expect(violations(result)).toEqual([]);
    const modules = result.modules.map((module) => module.source);
    const rooms = config.forbidden.flatMap((rule) => (typeof rule.from.path === "string" ? [rule.from.path] : []));
    expect(rooms.length).toBe(config.forbidden.length - 1);
    expect(rooms.filter((room) => !modules.some((source) => new RegExp(room).test(source)))).toEqual([]);
  });
});
