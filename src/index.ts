/** Package entry: the API client and the pure CIG rules, for platforms that integrate with gara. */
export {
  GaraApiError,
  GaraClient,
  GaraUnreachableError,
  type ClientOptions,
  type Problem,
} from './client/client.js';
export {
  PENDING_CIG_WORDING,
  cigFamilyLabels,
  validateCig,
  type CigFamily,
  type CigInvalidReason,
  type CigValidation,
} from './domain/cig/cig.js';
