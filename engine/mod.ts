/**
 * The engine's public face: what a program that embeds WriteIt needs, and
 * all outside code may import of engine/. Pipelines are loaded and checked
 * from YAML text; a RunService creates runs and drives them over an event
 * store; models resolve through a provider registry that takes providers of
 * one's own, wrapped in caching, retries, usage accounting and budgets; a
 * Backend holds a workspace's events, cache tier, leases, library and
 * retention (adapters live in storage/: storage/memory/mod.ts keeps
 * everything in the process). Time and ids come from an EngineContext.
 *
 * @example
 * ```ts
 * import { createModelProvider, emptyProviderSettings, loadPipeline, RunService, systemContext } from "./engine/mod.ts";
 * import { createMemoryBackend } from "./storage/memory/mod.ts";
 *
 * const context = systemContext();
 * const backend = createMemoryBackend({ context });
 * const models = createModelProvider({ settings: emptyProviderSettings(), context });
 * const service = new RunService({ store: backend.events, models, context, workspace: "default", leases: backend.leases });
 * const pipeline = loadPipeline(yamlText, { id: "article" }).value!;
 * const run = await service.createRun(pipeline, { inputs: { topic: "tides" }, autoSelect: true });
 * const done = await service.advance(run.runId);
 * ```
 */

// Pipelines: loading, validation, their shape.
export { fileStem, type LoadOptions, loadPipeline, validateInputs } from "./pipeline_loader.ts";
export { checkPipelineEntry, checkPipelineText, type PipelineCheck } from "./pipeline_check.ts";
export type {
  InputSpec,
  LoadResult,
  Pipeline,
  PipelineMetadata,
  StepSpec,
  StepValidation,
} from "./pipeline_schema.ts";
export { loadStylePrimer, type StylePrimer } from "./style_primer.ts";

// Runs: the service, its options, the run model and its updates.
export { RunService } from "./run_service.ts";
export type {
  ActionOptions,
  AdvanceOptions,
  BranchOptions,
  CreateRunOptions,
  MergeOptions,
  ModelSource,
  RunServiceLimits,
  RunServiceOptions,
} from "./run_service_options.ts";
export type {
  AIResponse,
  Feedback,
  PipelineRun,
  RunStatus,
  StepState,
  StepStatus,
  TokenUsage,
} from "./run_model.ts";
export { isRunStatus, RUN_STATUSES } from "./run_status.ts";
export type { ChunkUpdate, EventUpdate, NoticeUpdate, RunUpdate } from "./run_update.ts";
export { finalText } from "./export/export_view.ts";

// Events: the store a run lives in, and how its events fold into state.
export type {
  AppendOptions,
  AppendResult,
  EventStore,
  LoadRunOptions,
  ReadOptions,
  RunFilter,
  RunSummary,
  SubscribeOptions,
} from "./events/event_store.ts";
export type { EventEnvelope, EventMetadata, NewEvent } from "./events/event_envelope.ts";
export type { RunFold, StreamFold } from "./events/stream_fold.ts";
export { evolve, initialState, runFold } from "./run_evolve.ts";

// Backends: what a workspace stores, and the parts an adapter provides.
export type {
  Backend,
  BackendDescription,
  BackendFactory,
  OpenBackendOptions,
  WorkspaceInfo,
} from "./backend.ts";
export type { CachedResponse, CacheStore, CacheStoreSize } from "./cache/cache_store.ts";
export type {
  DocumentKind,
  DocumentSummary,
  Library,
  LibraryEntry,
  LibraryKind,
  LibraryOrigin,
  LibraryStore,
  StoredDocument,
} from "./library.ts";
export {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_TTL_MS,
  MemoryRunLeases,
  type RunLease,
  type RunLeases,
} from "./run_lease.ts";
export {
  type PruneOptions,
  type PruneReport,
  pruneRuns,
  type RetentionPort,
  type RunRetention,
} from "./run_retention.ts";

// The response cache.
export {
  DEFAULT_CACHE_TTL_MS,
  ResponseCache,
  type ResponseCacheOptions,
  type ResponseCacheReport,
} from "./cache/response_cache.ts";
export { type CacheStats, emptyCacheStats, hitRate } from "./cache/cache_stats.ts";

// Models: the interface, the provider registry and the factory that wraps them.
export {
  type ChatMessage,
  collectText,
  type LanguageModel,
  type LanguageModelMiddleware,
  type ModelCallOptions,
  type ModelRequest,
  type ModelStreamPart,
} from "./llm/language_model.ts";
export {
  createModelProvider,
  type ModelProvider,
  type ModelProviderOptions,
} from "./llm/model_factory.ts";
export {
  BUILT_IN_PROVIDERS,
  builtInProviders,
  type ProviderModel,
  ProviderRegistry,
} from "./llm/provider_registry.ts";
export type {
  ProviderCheck,
  ProviderCreateOptions,
  ProviderDefinition,
  ProviderSetting,
  ResolvedModelName,
} from "./llm/providers/provider_definition.ts";
export {
  emptyProviderSettings,
  type ProviderSettings,
  providerSettingsFromEnvironment,
} from "./llm/provider_settings.ts";
export { checkProviders } from "./llm/provider_check.ts";
export { Budget, type BudgetOptions } from "./llm/budget.ts";
export { UsageLedger } from "./llm/usage_ledger.ts";

// Errors.
export {
  BudgetExceededError,
  CancelledError,
  ConfigurationError,
  ConflictError,
  formatIssue,
  InvalidCommandError,
  NotFoundError,
  ProviderError,
  RetryableError,
  ValidationError,
  type ValidationIssue,
  WriteItError,
  type WriteItErrorOptions,
} from "./errors.ts";

// Time and ids.
export { type EngineContext, fixedContext, systemContext } from "./context.ts";
export { VERSION } from "./version.ts";
export {
  type DiffPart,
  diffSide,
  type DiffStats,
  diffStats,
  diffTokens,
  wordDiff,
  type WordDiffOptions,
} from "./text/word_diff.ts";
export {
  MARKDOWN_TAGS,
  type MarkdownElement,
  type MarkdownNode,
  type MarkdownTag,
  markdownTree,
  type MarkdownTreeOptions,
  nodeText,
} from "./text/markdown_tree.ts";
export {
  displayWidth,
  lineText,
  markdownLines,
  type MarkdownLinesOptions,
  type StyledLine,
  type StyledSegment,
} from "./text/markdown_lines.ts";
export { wordCount } from "./text/word_count.ts";
export { markdownToHtml } from "./export/markdown_to_html.ts";
export {
  diffDocument,
  type DiffSide,
  formatTextReference,
  parseTextReference,
  type ReferencedText,
  referencedText,
  type TextDiff,
  textDiff,
  type TextDiffDocument,
  type TextReference,
} from "./text_reference.ts";
