import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StatusView } from '../../domain/continuity/status-view.js';
import type { StatusSnapshotStore } from '../../services/status/status-monitor.js';

/** The last status view on disk (atomic rename), so that a restart while the database is down still has it. */
export function fileStatusSnapshot(file: string): StatusSnapshotStore {
  let last = '';
  return {
    read() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as StatusView;
      } catch {
        return undefined;
      }
    },
    write(view) {
      const text = JSON.stringify(view);
      if (text === last) return;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      last = text;
    },
  };
}
