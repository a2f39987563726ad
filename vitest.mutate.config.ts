// The tests Stryker runs against each mutant: every test that exercises src/ and conformance/ in
// this process. Tests that only run built code in other processes (npm start, the packed package,
// the docs in Chromium, the Postman export) cannot see a mutant, so they are left out here; they
// run in npm test.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ["test/start.test.ts", "test/package.test.ts", "test/docs.test.ts", "test/postman.test.ts", "**/node_modules/**"],
    },
  }),
);
