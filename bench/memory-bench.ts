/**
 * `npm run bench -- --only=memory`: resident memory of the embedded service as `npm start` runs it.
 * Starts the built service (same node flags as `npm start`, jobs on as by default) on a fresh DATA_DIR,
 * stops it, then starts it again on the same DATA_DIR. The RSS of the service and of any process it
 * spawns (summed over the process tree, read from /proc) is sampled every 100 ms from spawn until
 * BENCH_IDLE_SECONDS (default 15) after /health/ready answers. Prints, per start: the time to ready,
 * the peak of the sampled tree RSS, the kernel's high-water mark of the service process (VmHWM) and the
 * idle RSS (median of the last 3 s of samples).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
const SAMPLE_MS = 100;

function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  return (
    /^node\s+(.*?)\s*dist\/cli\/main\.js serve$/.exec(pkg.scripts.start)?.[1]?.split(/\s+/).filter(Boolean) ??
    []
  );
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  } catch {
    return 0; // gone
  }
}

/** The process and its descendants, from the parent ids in /proc. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while listing
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface StartFigures {
  readyMs: number;
  peakTreeMb: number;
  hwmMb: number;
  idleMb: number;
}

async function measureStart(dataDir: string, port: number): Promise<StartFigures> {
  const child = spawn(process.execPath, [...startFlags(), 'dist/cli/main.js', 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const pid = child.pid!;
  const started = Date.now();
  const samples: { at: number; kb: number }[] = [];
  let hwm = 0;
  const timer = setInterval(() => {
    const kb = processTree(pid).reduce((s, p) => s + statusKb(p, 'VmRSS'), 0);
    samples.push({ at: Date.now(), kb });
    hwm = Math.max(hwm, statusKb(pid, 'VmHWM'));
  }, SAMPLE_MS);
  try {
    let readyAt = 0;
    while (!readyAt) {
      if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
      if (Date.now() - started > 180_000) throw new Error(`server did not start: ${output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) readyAt = Date.now();
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idle = samples.filter((s) => s.at >= Date.now() - 3000).map((s) => s.kb);
    return {
      readyMs: readyAt - started,
      peakTreeMb: Math.max(...samples.map((s) => s.kb)) / 1024,
      hwmMb: hwm / 1024,
      idleMb: median(idle) / 1024,
    };
  } finally {
    clearInterval(timer);
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  }
}

export async function memorySection(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-memory-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  try {
    console.log(
      `\nEmbedded service memory (npm start flags: ${startFlags().join(' ') || 'none'}), RSS sampled every ${SAMPLE_MS} ms, idle = median of the last 3 s of ${IDLE_SECONDS} s after ready`,
    );
    const show = (name: string, f: StartFigures) =>
      console.log(
        `  ${name.padEnd(28)} ready in ${(f.readyMs / 1000).toFixed(1).padStart(5)} s   peak ${f.peakTreeMb.toFixed(0).padStart(4)} MB (service VmHWM ${f.hwmMb.toFixed(0)} MB)   idle ${f.idleMb.toFixed(0).padStart(4)} MB`,
      );
    show('fresh DATA_DIR', await measureStart(dataDir, port));
    show('existing DATA_DIR', await measureStart(dataDir, port + 1));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
