import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMailer } from '../../src/adapters/mail/mailer.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`outbox worker when idle (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('sleeps round after round without piling up listeners on its stop signal', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const worker = new OutboxWorker(h.deps, {
      mailer: fileMailer({ dir: '/nonexistent-never-written', from: 'test@example.it' }),
      webhooks: { post: () => Promise.reject(new Error('none')) },
      idleMs: 1,
    });
    try {
      worker.start();
      // An empty outbox: a few hundred idle rounds (Node warns from the 11th listener on one signal).
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await worker.stop();
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
