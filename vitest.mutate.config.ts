// The tests Stryker runs against each mutant: with MUTATE_AREA (set by `npm run mutate`), the
// area's tests from mutation-areas.json; MUTATE_TESTS (comma-separated files) overrides them;
// otherwise every in-process test. Tests that only run built code in other processes (npm start,
// the packed package, the docs in Chromium, the Postman export) cannot see a mutant: left out.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import base from "./vitest.config.ts";

const { areas } = JSON.parse(readFileSync(new URL("./mutation-areas.json", import.meta.url), "utf8")) as {
  areas: Record<string, { folder: string; tests: string[] }>;
};
const only =
  process.env.MUTATE_TESTS?.split(",").map((file) => file.trim()).filter(Boolean) ??
  (process.env.MUTATE_AREA ? areas[process.env.MUTATE_AREA]?.tests : undefined);

// Stryker stops a mutant's run at the first failing test (bail), so the order of the files is its
// cost: vitest's own order runs the slowest files first, and a mutant a unit test kills in a
// millisecond waited on whole conformance runs first. Quickest files (by their last run) first.
class QuickestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const took = (file: TestSpecification) => cache.getFileTestResults(`${file.project.name}:${relative(config.root, file.moduleId)}`)?.duration ?? Number.MAX_SAFE_INTEGER;
    return [...files].sort((a, b) => took(a) - took(b));
  }
}

// Not mergeConfig: it would add the narrowed list to the whole one rather than replace it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only?.length ? only : base.test!.include!,
    sequence: { ...base.test!.sequence, sequencer: QuickestFirst },
    exclude: ["test/start.test.ts", "test/package.test.ts", "test/docs.test.ts", "test/postman.test.ts", "**/node_modules/**"],
  },
});
