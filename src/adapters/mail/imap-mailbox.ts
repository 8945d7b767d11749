import { ImapFlow } from 'imapflow';

/**
 * A mailbox read over IMAP (`imapflow`): the messages not yet marked \Seen, oldest first, each handed
 * over as it was received and marked \Seen only after the handler has returned. A handler that throws
 * leaves the message unseen, and the rest for the next round: a crash between the handler's commit and
 * the flag hands the same message over again, so the handler must be idempotent (receipts are: they are
 * kept once by their SHA-256).
 */
export interface Mailbox {
  /** Hands over up to `limit` unseen messages; returns how many were handed over and marked. */
  drainUnseen(handler: (raw: Buffer) => Promise<void>, limit?: number): Promise<number>;
}

export function imapMailbox(url: URL): Mailbox {
  const mailbox = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
  return {
    async drainUnseen(handler, limit = 500) {
      const client = new ImapFlow({
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(url.port) || (url.protocol === 'imaps:' ? 993 : 143),
        secure: url.protocol === 'imaps:',
        auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
        logger: false,
        // A plain imap:// mailbox is a local one (the configuration allows it on loopback only).
        doSTARTTLS: url.protocol === 'imaps:' ? undefined : false,
      });
      // A socket error after connecting must fail this round, not the process (an unhandled 'error').
      let failure: unknown;
      client.on('error', (error: unknown) => {
        failure ??= error;
      });
      await client.connect();
      let handed = 0;
      try {
        const lock = await client.getMailboxLock(mailbox);
        try {
          const uids = ((await client.search({ seen: false }, { uid: true })) || []).slice(0, limit);
          for (const uid of uids) {
            const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
            if (!message || !message.source) continue;
            await handler(message.source);
            await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
            handed += 1;
          }
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
      if (failure && handed === 0) throw failure;
      return handed;
    },
  };
}
