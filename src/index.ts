// The kit's entry point: the client, its error values, the mock's admin client, the status callback
// parser and handler, and the contract's types. It sits above the client and the callbacks, so that
// neither room imports the other to be exported.
export { createKaleyraClient, defaultTimeoutMs } from "./client/client.ts";
export type {
  KaleyraClient,
  KaleyraClientOptions,
  KaleyraTarget,
  PreparedRequest,
  SendVideoInput,
  SendVideoResult,
  SendVideoRequest,
  ExtraInfo,
  VideoInput,
} from "./client/client.ts";
export { KaleyraApiError, KaleyraTransportError, KaleyraValidationError, isKaleyraError } from "./client/errors.ts";
export type { DocumentedErrorCode, Envelope, AcceptedEnvelope, KaleyraError, KaleyraErrorKind, RequestSummary, TransportReason } from "./client/errors.ts";
export type { ValidationIssue } from "./contract/issues.ts";
export { podUrls, type Pod } from "./client/pods.ts";
export type { paths, components, operations } from "../generated/kaleyra-whatsapp-video.ts";
export { createMockAdmin, defaultAdminTimeoutMs } from "./client/mock-admin.ts";
export type {
  MockAdmin,
  MockAdminOptions,
  JournalEntry,
  Journal,
  JournalFilter,
  ScenarioInput,
  Scenario,
  TestRecipient,
  MockIdentity,
  Fault,
} from "./client/mock-admin.ts";
export { KaleyraAdminError } from "./client/errors.ts";
export type { AdminProblem } from "./client/errors.ts";
export { parseStatusCallback } from "./callbacks/parse.ts";
export { statusCallbackHandler, defaultCallbackBodyBytes, type StatusCallbackHandlerOptions } from "./callbacks/handler.ts";
export type { StatusCallback, CallbackStatus } from "./contract/webhook.ts";
