/**
 * One open data format exported in a process of its own (started by opendata-bench.ts), so that its RSS
 * is the export's, not the bench's. Plain JavaScript over the build (dist/), as `gara opendata export`
 * runs: through tsx the same process started ~70 MB higher (212 against 144 MB after createContainer),
 * the loader's, not the export's. It prints one JSON line with rows/s, the RSS at start, the kernel's peak
 * (VmHWM, reset at start) and the peaks of V8's heap, external memory and array buffers.
 * Env: DATABASE_URL (with the bench's search_path), DATA_DIR, BENCH_EXPORT_FORMAT (csv|json|ocds), MONTH.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../dist/config.js';
import { createContainer } from '../dist/container.js';
import { publishCigFiles } from '../dist/services/opendata/export-opendata-period.js';
import { parsePeriod } from '../dist/services/opendata/periods.js';
import { publishOcdsReleases } from '../dist/services/opendata/publish-ocds-releases.js';

const format = process.env.BENCH_EXPORT_FORMAT; // csv | json | ocds
const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const vm = (field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const container = await createContainer(
  loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'never', JOBS_ENABLED: 'false' }),
);
const deps = { ...container.deps, opendata: container.opendata };
const period = parsePeriod(process.env.MONTH ?? '2026-10');
global.gc?.();
const startRss = vm('VmRSS');
// 5: resets the kernel's peak RSS (VmHWM) of this process to its current RSS.
writeFileSync('/proc/self/clear_refs', '5');
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
}, 50);
const started = performance.now();
const rows =
  format === 'ocds'
    ? ((await publishOcdsReleases(deps, period))?.rows ?? 0)
    : (await publishCigFiles(deps, period, [format]))[0].rows;
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
console.log(
  JSON.stringify({
    format,
    rows,
    seconds,
    startRssMb: Math.round(startRss),
    peakRssMb: Math.round(vm('VmHWM')),
    peakHeapUsedMb: mb(peak.heapUsed),
    peakExternalMb: mb(peak.external),
    peakArrayBuffersMb: mb(peak.arrayBuffers),
  }),
);
await container.close();
