/** Package entry: the API client and the pure CIG rules, for platforms that integrate with gara. */
export {
  GaraApiError,
  GaraClient,
  GaraUnreachableError,
  IDEMPOTENCY_KEY_PATTERN,
  isServiceUnavailable,
  tokenFingerprint,
  unreachableMessage,
  type ClientOptions,
  type CreateOptions,
  type CreateOutcome,
  type Problem,
} from './client/client.js';
export {
  OfflineQueue,
  defaultQueueDir,
  flushQueue,
  startQueueFlusher,
  type EnqueueRequest,
  type FailedRequest,
  type FlushOptions,
  type FlushSummary,
  type OfflineQueueOptions,
  type QueueFlusher,
  type QueueFlusherOptions,
  type QueueScan,
  type QueuedError,
  type QueuedRequest,
  type SubmittedRequest,
} from './client/offline-queue.js';
export {
  PENDING_CIG_WORDING,
  cigFamilyLabels,
  validateCig,
  type CigFamily,
  type CigInvalidReason,
  type CigValidation,
} from './domain/cig/cig.js';
