// `npm run mutate`'s own rules: every folder of mutated code in exactly one area, and the score
// computed as Stryker computes it.
import { describe, expect, it } from "vitest";
import { areas, measuredFiles, mutatedFolders, nothingToMutate, score, tally, unclaimedFolders, withoutStaticSurvivors } from "../src/tools/mutate.ts";

describe("npm run mutate", () => {
  it("every folder of src/ and conformance/ with mutated code is in exactly one area", () => {
    const folders = mutatedFolders();
    expect(folders).toContain("src/mock/admin");
    expect(folders).not.toContain("src/tools");
    expect(
      unclaimedFolders(
        folders,
        Object.values(areas).map((area) => area.folder),
      ),
    ).toEqual([]);
  });

  it("counts a file of types and re-exports only as nothing to mutate, and any file with code as something", () => {
    expect(["src/mock/model.ts", "src/index.ts", "src/mock/stage.ts", "src/judge/model.ts", "src/mock/log.ts"].map(nothingToMutate)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("refuses a folder in no area, or in two", () => {
    expect(unclaimedFolders(["a", "b", "c"], ["a", "b", "b"])).toEqual(["b", "c"]);
  });

  it("scores detected over detected and undetected, as Stryker does", () => {
    const t = tally(["Killed", "Killed", "Timeout", "Survived", "NoCoverage", "CompileError", "Ignored"].map((status) => ({ status })));
    expect(t).toEqual({ killed: 2, timeout: 1, survived: 1, noCoverage: 1 });
    expect(score(t)).toBe(60);
    expect(score({ killed: 0, timeout: 0, survived: 0, noCoverage: 0 })).toBe(100);
  });
});

describe("module-level mutants (stryker-js#6144)", () => {
  it("those that survived with only their covering tests are tested again, in the files a run mutates; every other result is kept", () => {
    const file = (mutants: { status: string; static?: boolean; testsCompleted?: number; coveredBy?: string[] }[]) => ({
      language: "typescript",
      source: "",
      mutants,
    });
    const filteredRun = { status: "Survived", static: true, testsCompleted: 1, coveredBy: ["7"] };
    const wholeRun = { status: "Survived", static: true, testsCompleted: 450, coveredBy: ["7"] };
    const report = {
      schemaVersion: "1.0",
      thresholds: { high: 90, low: 80 },
      files: {
        "src/a/one.ts": file([
          filteredRun,
          { status: "Survived", static: true, testsCompleted: 0 },
          wholeRun,
          { status: "Survived", static: false, testsCompleted: 1, coveredBy: ["7"] },
          { status: "Killed", static: true, testsCompleted: 1, coveredBy: ["7"] },
          { status: "NoCoverage" },
        ]),
        "src/b/two.ts": file([filteredRun]),
      },
    };
    const { report: kept, dropped } = withoutStaticSurvivors(report, (name) => name.startsWith("src/a/"));
    expect(dropped).toBe(2);
    expect(kept.files["src/a/one.ts"]!.mutants).toEqual(report.files["src/a/one.ts"].mutants.slice(2));
    expect(kept.files["src/b/two.ts"]).toEqual(report.files["src/b/two.ts"]);
  });
});

describe("what an area's score counts", () => {
  it("its own folder's files that are still in the tree, in path order; not a subfolder's, another folder's, or a moved file's old results", () => {
    const result = { language: "typescript", source: "", mutants: [] };
    const report = {
      schemaVersion: "1.0",
      thresholds: { high: 90, low: 80 },
      files: { "src/a/z.ts": result, "src/a/gone.ts": result, "src/a/one.ts": result, "src/a/sub/two.ts": result, "src/b/three.ts": result },
    };
    const there = new Set(["src/a/z.ts", "src/a/one.ts", "src/a/sub/two.ts", "src/b/three.ts"]);
    expect(measuredFiles(report, "src/a", (file) => there.has(file)).map(([file]) => file)).toEqual(["src/a/one.ts", "src/a/z.ts"]);
  });
});
