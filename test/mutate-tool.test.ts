// `npm run mutate`'s own rules: every folder of mutated code in exactly one area, and the score
// computed as Stryker computes it.
import { describe, expect, it } from "vitest";
import { areas, mutatedFolders, score, tally, unclaimedFolders } from "../src/tools/mutate.ts";

describe("npm run mutate", () => {
  it("every folder of src/ and conformance/ with mutated code is in exactly one area", () => {
    const folders = mutatedFolders();
    expect(folders).toContain("src/mock/admin");
    expect(folders).not.toContain("src/tools");
    expect(unclaimedFolders(folders, Object.values(areas).map((area) => area.folder))).toEqual([]);
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
