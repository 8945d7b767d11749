/**
 * `parseReportingFlow` in a worker thread. A flow of 8 MB (the body limit, ~16,000 payments) takes
 * seconds to parse and check, and the schema bounds neither the number of payments
 * (`datiSingoliPagamenti maxOccurs="unbounded"`) nor, within the byte limit, the number of elements: on
 * the event loop one such body would stall every other request for that long. Here the event loop only
 * hands the text over (a copy, milliseconds) and waits; a parse that runs past `timeoutMs` is stopped
 * (the worker is terminated) and refused as `payload_too_large` (`xml_parse_time`).
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import type { ParsedFlow } from './reporting-flow.js';

export const DEFAULT_FLOW_PARSE_TIMEOUT_MS = 30_000;

type WorkerAnswer =
  | { parsed: ParsedFlow }
  | { refused: { code: ErrorCode; message: string; field?: string; reason?: string } }
  | { failed: string };

/**
 * Starts the worker module beside this file: the compiled `.js` as is; the `.ts` source (tests, `tsx`)
 * through tsx's loader, registered inside the worker.
 */
function startWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./reporting-flow.worker${ext}`, import.meta.url);
  if (ext === '.js') return new Worker(url);
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true });
}

export async function parseReportingFlowOffThread(
  xml: string,
  options: { timeoutMs?: number } = {},
): Promise<ParsedFlow> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FLOW_PARSE_TIMEOUT_MS;
  const worker = startWorker();
  try {
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new DomainError(
            'payload_too_large',
            `FlussoRiversamento: the document takes more than ${timeoutMs} ms to read`,
            { field: 'body', reason: 'xml_parse_time' },
          ),
        );
      }, timeoutMs);
      const settle = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      worker.once('message', (m: WorkerAnswer) => settle(() => resolve(m)));
      worker.once('error', (e) => settle(() => reject(e)));
      worker.once('exit', (code) =>
        settle(() => reject(new Error(`the reporting-flow worker exited (code ${code}) without an answer`))),
      );
      worker.postMessage(xml);
    });
    if ('parsed' in answer) return answer.parsed;
    if ('refused' in answer) {
      const { code, message, field, reason } = answer.refused;
      throw new DomainError(code, message, {
        ...(field !== undefined ? { field } : {}),
        ...(reason !== undefined ? { reason } : {}),
      });
    }
    throw new Error(`the reporting-flow worker failed: ${answer.failed}`);
  } finally {
    await worker.terminate();
  }
}
