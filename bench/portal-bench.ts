/**
 * The web portal: what each main page costs to load (the page, and the stylesheets and scripts it links,
 * as transferred with brotli/gzip), and how fast the service answers the heaviest page under load against
 * /health/live in the same run. Runs on the embedded database with the demo data (demo sign-in).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { load, report, startServer, type Measurement, type Server } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BOOTSTRAP_ITALIA = '/assets/bootstrap-italia/';

interface Weight {
  path: string;
  htmlBytes: number;
  /** Compressed bytes of the linked CSS and JS that are not Bootstrap Italia's. */
  ownAssets: number;
  bootstrapItalia: number;
  scripts: number;
}

/** Signs in with the demo sign-in as the first listed user whose button text matches `role`. */
async function signIn(server: Server, roleHeading: string): Promise<string> {
  const res = await fetch(`${server.url}/accedi`);
  const csrfCookie = /gara_csrf_accesso=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const html = await res.text();
  const section = html.split(/<h2[^>]*>/).find((s) => s.startsWith(roleHeading)) ?? '';
  const form = /name="csrf" value="([^"]+)"[\s\S]*?name="utente" value="([^"]+)"/.exec(section);
  if (!form) throw new Error(`no demo user for ${roleHeading}`);
  const signed = await fetch(`${server.url}/accedi`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `gara_csrf_accesso=${csrfCookie}`,
    },
    body: new URLSearchParams({ csrf: form[1]!, utente: form[2]!, dopo: '/area-personale' }).toString(),
  });
  const session = /gara_sessione=([^;]+)/.exec(signed.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`sign-in as ${roleHeading} failed: ${signed.status}`);
  return `gara_sessione=${session}`;
}

/** The response body's bytes on the wire (node:http does not decompress) and its decoded text. */
function transferred(url: string, cookie: string): Promise<{ bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { cookie, 'accept-encoding': 'br, gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const body =
          encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ bytes: raw.length, body: body.toString('utf8') });
      });
    }).on('error', reject);
  });
}

async function weigh(server: Server, path: string, cookie: string): Promise<Weight> {
  const page = await transferred(`${server.url}${path}`, cookie);
  const links = [...page.body.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const scripts = [...page.body.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  let own = 0;
  let bi = 0;
  for (const href of [...links, ...scripts]) {
    const asset = await transferred(new URL(href, server.url).toString(), cookie);
    if (href.startsWith(BOOTSTRAP_ITALIA)) bi += asset.bytes;
    else own += asset.bytes;
  }
  return { path, htmlBytes: page.bytes, ownAssets: own, bootstrapItalia: bi, scripts: scripts.length };
}

export async function portalSection(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gara-bench-portal-'));
  const server = await startServer(
    { DATA_DIR: dataDir, SEED_DEMO: 'always', DATABASE_URL: '', PORTAL_DEMO_SIGNIN: 'on' },
    3906,
  );
  try {
    const rup = await signIn(server, 'Responsabile unico');
    const staff = await signIn(server, 'Sezione regionale');
    const pages: [string, string][] = [
      ['/', ''],
      ['/cig?codice=9050626CD6', ''],
      ['/stato', ''],
      ['/comunicati', ''],
      ['/iscrizioni', ''],
      ['/area-personale/gare', rup],
      ['/area-personale/gare/nuova', rup],
      ['/area-personale/procedure-urgenti/nuova', rup],
      ['/area-personale/comunicati', staff],
      ['/area-personale/protocollo', staff],
      ['/area-personale/manutenzioni', staff],
    ];
    console.log('\nPortal page weight (bytes as transferred, brotli/gzip)');
    console.log(
      '  page                                         HTML   own CSS+JS  Bootstrap Italia CSS  scripts',
    );
    const weights: Weight[] = [];
    for (const [path, cookie] of pages) {
      const w = await weigh(server, path, cookie);
      weights.push(w);
      console.log(
        `  ${path.padEnd(42)} ${String(w.htmlBytes).padStart(7)} ${String(w.ownAssets).padStart(11)} ${String(w.bootstrapItalia).padStart(21)} ${String(w.scripts).padStart(8)}`,
      );
    }
    const heaviest = weights.reduce((a, b) =>
      b.htmlBytes + b.ownAssets > a.htmlBytes + a.ownAssets ? b : a,
    );
    console.log(
      `\n  heaviest page ${heaviest.path}: ${((heaviest.htmlBytes + heaviest.ownAssets) / 1024).toFixed(1)} KB beyond Bootstrap Italia's stylesheet (page + own CSS/JS; target < 300 KB of JS+CSS)`,
    );

    const page: Measurement[] = [];
    const live: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      page.push(
        await load({
          url: `${server.url}/area-personale/gare`,
          connections: 16,
          durationSeconds: SECONDS,
          headers: { cookie: rup, 'accept-encoding': 'br, gzip' },
        }),
      );
      live.push(await load({ url: `${server.url}/health/live`, connections: 16, durationSeconds: SECONDS }));
    }
    console.log(`\nPortal under load, 16 connections, ${ROUNDS} rounds x ${SECONDS}s (embedded PGlite)`);
    const p = report('GET /area-personale/gare (RUP, 20 tenders)', page);
    const l = report('GET /health/live', live);
    console.log(`  portal page / health-live       ${(p.rps / l.rps).toFixed(2)}`);
    console.log(`  server peak RSS                 ${server.peakRssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
