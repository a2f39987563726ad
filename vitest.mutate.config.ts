// The tests Stryker runs against each mutant: every test that exercises src/ and conformance/ in
// this process. Tests that only run built code in other processes (npm start, the packed package,
// the docs in Chromium, the Postman export) cannot see a mutant, so they are left out here; they
// run in npm test. MUTATE_TESTS (comma-separated files or globs) narrows the set to the tests of
// what changed: a mutant of a mock's start-up code is covered by every test that starts a mock,
// and running all of them for each such mutant takes hours on two cores.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

const only = process.env.MUTATE_TESTS?.split(",").map((file) => file.trim()).filter(Boolean);

// Not mergeConfig: it would add the narrowed list to the whole one rather than replace it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only?.length ? only : base.test!.include!,
    exclude: ["test/start.test.ts", "test/package.test.ts", "test/docs.test.ts", "test/postman.test.ts", "**/node_modules/**"],
  },
});
