/**
 * Worker thread of `parseReportingFlowOffThread`: parses one reporting flow per message and answers
 * with the result, or with the DomainError the size limits throw (as plain data).
 */
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../../domain/shared/errors.js';
import { parseReportingFlow } from './reporting-flow.js';

parentPort?.on('message', (xml: string) => {
  try {
    parentPort?.postMessage({ parsed: parseReportingFlow(xml) });
  } catch (error) {
    parentPort?.postMessage(
      error instanceof DomainError
        ? { refused: { code: error.code, message: error.message, field: error.field, reason: error.reason } }
        : { failed: error instanceof Error ? error.message : String(error) },
    );
  }
});
