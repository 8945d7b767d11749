/**
 * A mailbox read over IMAP (`imapflow`): the messages not yet marked \Seen, oldest first, each handed
 * over as it was received and marked \Seen only after the handler has returned. A handler that throws
 * leaves the message unseen, and the rest for the next round: a crash between the handler's commit and
 * the flag hands the same message over again, so the handler must be idempotent (receipts are: they are
 * kept once by their SHA-256).
 */
export interface Mailbox {
  /**
   * Hands over up to `limit` unseen messages; returns how many were handed over and marked. A message
   * larger than `maxBytes` is not downloaded: the handler gets its first `REFUSED_KEPT_BYTES` and its
   * size (`oversize`), and the message is marked \Seen and flagged `$GaraRefused` (kept in the mailbox
   * for review, never read again).
   */
  drainUnseen(
    handler: (raw: Buffer, oversize: number | null) => Promise<void>,
    options?: { limit?: number; maxBytes?: number },
  ): Promise<number>;
}

/** What is read of a message refused for its size (its headers, normally). */
export const REFUSED_KEPT_BYTES = 64 * 1024;
/** imapflow (~30 MB of resident modules) is loaded on the first poll: only when IMAP is configured. */
let imapflow: ReturnType<typeof importImapflow> | undefined;
const importImapflow = () => import('imapflow');
const loadImapflow = () => (imapflow ??= importImapflow());

export const REFUSED_FLAG = '$GaraRefused';

export function imapMailbox(url: URL): Mailbox {
  const mailbox = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
  return {
    async drainUnseen(handler, { limit = 500, maxBytes = Number.POSITIVE_INFINITY } = {}) {
      const { ImapFlow } = await loadImapflow();
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
            const sized = await client.fetchOne(String(uid), { size: true }, { uid: true });
            if (!sized) continue;
            const size = sized.size ?? 0;
            const oversize = size > maxBytes;
            const message = await client.fetchOne(
              String(uid),
              { source: oversize ? { start: 0, maxLength: REFUSED_KEPT_BYTES } : true },
              { uid: true },
            );
            if (!message || !message.source) continue;
            await handler(message.source, oversize ? size : null);
            await client.messageFlagsAdd(String(uid), oversize ? ['\\Seen', REFUSED_FLAG] : ['\\Seen'], {
              uid: true,
            });
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
