import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentMessageFiles } from '../../services/notices/ports.js';
import { emlFileName } from './mailer.js';

/** The .eml files the embedded mailer (`fileMailer`) wrote into `dir`. */
export function emlFiles(dir: string): SentMessageFiles {
  const file = (messageId: string) => join(dir, emlFileName(messageId));
  return {
    exists: (messageId) => existsSync(file(messageId)),
    read: (messageId) => (existsSync(file(messageId)) ? readFileSync(file(messageId)) : undefined),
  };
}
