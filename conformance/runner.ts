// A conformance run: the planned cases, then generated valid requests (property-based, seeded,
// shrunk on failure), every answer checked against the contract. The run's state lives in its
// context (`context.ts`); each phase is a function of `phases.ts`; this file is their order.
import { requestExamples } from "./plan.ts";
import type { RunResult } from "../src/judge/result.ts";
import { RunContext, type RunOptions, type SendPolicy } from "./context.ts";
import { announce, callbacks, generated, identify, planCases, planned, probeTarget, startCallbacks } from "./phases.ts";
import type { SendLimits } from "./send.ts";

export { pacer, type RunOptions } from "./context.ts";

/** Why a run refuses to start: the options ask for what the target's mode does not allow. */
export type RefusalKind = "needs-recipient";

/** A run refused before anything that could deliver was sent; the command reports it as a usage error. */
export class RunRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = "RunRefusal";
  }
}

/** Asks the target whether it is the kit's mock. No key is sent: the target may be a real pod. */
export async function identifyTarget(target: string, limits: SendLimits, adminToken?: string): Promise<boolean> {
  return (await probeTarget(target, limits, adminToken)).mock;
}

export async function runConformance(options: RunOptions): Promise<RunResult> {
  const context = new RunContext(options);
  try {
    context.mode = await identify(context);
    announce(context);
    context.policy = sendPolicy(context);
    const plan = planCases(context);
    if (context.diagnosis !== undefined) return context.result();
    context.callbackStage = await startCallbacks(context);
    await planned(context, plan);
    context.shrunk = await generated(context);
    context.callbacks = await callbacks(context);
    return context.result();
  } finally {
    await context.close();
  }
}

/**
 * A live target is real money and real customers: acceptable requests only when asked, only to
 * the given recipient, and only so many. Refused when asked without a recipient.
 */
function sendPolicy({ mode, options }: RunContext): SendPolicy {
  const remote = mode === "live";
  const allowSend = remote ? options.allowSend === true : true;
  if (remote && allowSend && !options.to) throw new RunRefusal("needs-recipient", "sending to a target that is not the kit's mock needs the recipient --to");
  const maxSends = remote ? (options.maxSends ?? 1) : Number.POSITIVE_INFINITY;
  const examples = requestExamples();
  const to = options.to ?? (examples["by-media-id"] as { messaging_object: { to: string } }).messaging_object.to;
  return { allowSend, maxSends, to };
}
