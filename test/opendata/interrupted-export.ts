// Run as a child process by interrupted-export.test.ts: starts publishing a file whose content never
// ends, says when bytes are on disk, and waits to be killed.
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';

const dir = process.argv[2]!;
const store = directoryFileStore(dir);
async function* endless(): AsyncIterable<string> {
  for (let i = 0; ; i++) {
    yield `${'x'.repeat(60_000)};${i}\r\n`;
    if (i === 20) process.stdout.write('writing\n');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
await store.publish(
  { name: 'cig_2026-11.csv', dataset: 'cig', period: '2026-11', format: 'csv' },
  endless(),
  () => 0,
);
