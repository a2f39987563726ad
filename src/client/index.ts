// The package's entry point: the client, its error values and the contract's types.
export { createKaleyraClient, defaultTimeoutMs } from "./client.ts";
export type { KaleyraClient, KaleyraClientOptions, KaleyraTarget, PreparedRequest, SendVideoInput, SendVideoResult, SendVideoRequest, ExtraInfo, VideoInput } from "./client.ts";
export { KaleyraApiError, KaleyraTransportError, KaleyraValidationError, isKaleyraError } from "./errors.ts";
export type { DocumentedErrorCode, Envelope, AcceptedEnvelope, KaleyraError, KaleyraErrorKind, RequestSummary, TransportReason } from "./errors.ts";
export type { ValidationIssue } from "../contract/issues.ts";
export { podUrls, type Pod } from "./pods.ts";
export type { paths, components, operations } from "../../generated/kaleyra-whatsapp-video.ts";
export { createMockAdmin, defaultAdminTimeoutMs } from "./mock-admin.ts";
export type { MockAdmin, MockAdminOptions, JournalEntry, Journal, JournalFilter, ScenarioInput, Scenario, TestRecipient, MockIdentity, Fault } from "./mock-admin.ts";
export { KaleyraAdminError } from "./errors.ts";
export type { AdminProblem } from "./errors.ts";
export { parseStatusCallback } from "../callbacks/parse.ts";
export { statusCallbackHandler, defaultCallbackBodyBytes, type StatusCallbackHandlerOptions } from "../callbacks/handler.ts";
export type { StatusCallback, CallbackStatus } from "../contract/webhook.ts";
