// A team's whole test suite on the packed packages: a consumer project installs the kit, the tools
// and vitest (the repo's version, from npm's cache), and runs the four test files of a mode with
// four workers forced, several times over: zero failures, each file's tests passed, as vitest's
// JSON report counts them. The README's recipe is one of the files, word for word.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installProject, packPackages, pinnedVersion, run } from "./support/packages.ts";

const repo = process.cwd();
const fixtures = join(repo, "test/fixtures/consumer-suite");
/**
 * The ways a team isolates its files, one folder of fixtures each: `mock-per-file`, each file with
 * a mock of its own; `shared-mock-sandboxes`, one mock for the run (a globalSetup) and an account
 * sandbox per file.
 */
const modes = ["mock-per-file", "shared-mock-sandboxes"] as const;
const runs = 3;

/** A mode's test files (`orders.spec.ts`), with their text. */
function filesOf(mode: string): Map<string, string> {
  const names = readdirSync(join(fixtures, mode)).filter((name) => name.endsWith(".spec.ts"));
  return new Map(names.map((name) => [name, readFileSync(join(fixtures, mode, name), "utf8")]));
}

/** The failed tests of a run's JSON report, with their messages, for a failure that names them. */
function failuresIn(report: string): string {
  try {
    const result = JSON.parse(readFileSync(report, "utf8")) as {
      testResults: { name: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    return result.testResults
      .flatMap((file) =>
        file.assertionResults
          .filter((test) => test.status !== "passed")
          .map((test) => `\n${basename(file.name)} > ${test.title}: ${test.failureMessages.join(" | ").slice(0, 2_000)}`),
      )
      .join("");
  } catch {
    return "";
  }
}

// The repo's vitest worker sets these for itself; the consumer's vitest must not inherit them.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST") && name !== "NODE_OPTIONS"));

describe("the README's recipes", () => {
  it("are the fixtures, word for word: a mock per file, then a shared mock's global setup and a sandboxed file", () => {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const section = /^## Use it in your test suite\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
    const recipes = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, code]) => code);
    const fixture = (mode: string, name: string) => readFileSync(join(fixtures, mode, name), "utf8");
    expect(recipes).toEqual([
      fixture("mock-per-file", "orders.spec.ts"),
      fixture("shared-mock-sandboxes", "global-setup.ts"),
      fixture("shared-mock-sandboxes", "orders.spec.ts"),
    ]);
  });
});

describe("a consumer's suite", () => {
  let project: string;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), "kit-suite-"));
    const { kit, tools } = await packPackages(work);
    project = join(work, "consumer");
    await installProject(project, [kit.tarball, tools.tarball, `vitest@${pinnedVersion("vitest")}`]);
    for (const mode of modes) {
      mkdirSync(join(project, mode));
      for (const name of readdirSync(join(fixtures, mode))) copyFileSync(join(fixtures, mode, name), join(project, mode, name));
    }
  }, 240_000);

  it("every file type-checks under tsc --strict against the packages' declarations", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          typeRoots: [join(repo, "node_modules/@types")],
          skipLibCheck: true,
        },
        include: modes.map((mode) => `${mode}/*.ts`),
      }),
    );
    await run(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: project });
  }, 60_000);

  it.each(modes)(
    `%s: four files, four workers, ${runs} runs, every test passed each time`,
    async (mode) => {
      const files = filesOf(mode);
      expect(files.size).toBe(4);
      // Each file's tests, by their titles in the fixture, all to pass.
      const expected = Object.fromEntries(
        [...files].map(([name, text]) => [name, [...text.matchAll(/^it\("([^"]+)"/gm)].map(([, title]) => [title, "passed"])]),
      );
      const count = Object.values(expected).flat().length;
      for (let attempt = 1; attempt <= runs; attempt++) {
        const report = join(project, `${mode}-report-${attempt}.json`);
        const vitest = join(project, "node_modules/.bin/vitest");
        // The mode's folder as vitest's root: its own config (the shared mock's globalSetup), if it has one.
        // vitest's 5 s per test is for an idle machine; this suite shares two cores with the rest of npm test.
        const args = [
          "run",
          "--root",
          mode,
          "--pool=forks",
          "--maxWorkers=4",
          "--minWorkers=4",
          "--testTimeout=60000",
          "--hookTimeout=60000",
          "--reporter=json",
          `--outputFile=${report}`,
        ];
        const outcome = await run(vitest, args, { cwd: project, env }).then(
          () => "exit 0",
          (error: { code?: number; stdout?: string; stderr?: string }) => `exit ${error.code}: ${error.stderr ?? ""}${error.stdout ?? ""}${failuresIn(report)}`,
        );
        expect(outcome, `run ${attempt}`).toBe("exit 0");
        const result = JSON.parse(readFileSync(report, "utf8")) as {
          numTotalTests: number;
          numPassedTests: number;
          numFailedTests: number;
          numPendingTests: number;
          numTotalTestSuites: number;
          success: boolean;
          testResults: { name: string; assertionResults: { title: string; status: string }[] }[];
        };
        const { numTotalTests, numPassedTests, numFailedTests, numPendingTests, success } = result;
        expect({ run: attempt, numTotalTests, numPassedTests, numFailedTests, numPendingTests, success }).toEqual({
          run: attempt,
          numTotalTests: count,
          numPassedTests: count,
          numFailedTests: 0,
          numPendingTests: 0,
          success: true,
        });
        expect(
          Object.fromEntries(result.testResults.map((file) => [basename(file.name), file.assertionResults.map(({ title, status }) => [title, status])])),
        ).toEqual(expected);
      }
    },
    180_000,
  );
});
