/** hoodiecrow-imap ships no types: the part the tests use (an in-memory IMAP server). */
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';
  interface ImapServer {
    /** The underlying net.Server (listen on port 0, then read its address). */
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
  }
  interface HoodiecrowOptions {
    plugins?: string[];
    users?: Record<string, { password: string }>;
    storage?: Record<string, { messages?: { raw: string; flags?: string[] }[] }>;
    debug?: boolean;
  }
  export default function hoodiecrow(options: HoodiecrowOptions): ImapServer;
}
