// supertest with the tests' short wait on every request: a mock that hangs fails the test in
// seconds (superagent's "Timeout of N ms exceeded"), not at vitest's time-out.
import supertest from "supertest";
import { waitMs } from "./wait.ts";

export type { Response } from "supertest";
type Agent = ReturnType<typeof supertest>;
const methods = new Set<string | symbol>(["get", "post", "put", "patch", "delete", "head", "options", "search"]);

export default function request(url: string): Agent {
  return new Proxy(supertest(url), {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== "function" || !methods.has(name)) return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => { timeout(limits: { response: number; deadline: number }): unknown })
          .apply(target, args)
          .timeout({ response: waitMs, deadline: waitMs });
    },
  });
}
