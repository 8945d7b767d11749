/// <reference lib="dom" />
/** What the browser test files share: the system Chromium, axe-core and PDF text. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as mupdf from 'mupdf';
import type { Page } from 'playwright-core';

export const executable = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!executable && process.env.GARA_REQUIRE_BROWSER === '1') {
  throw new Error('GARA_REQUIRE_BROWSER=1 but no Chromium found (apt-get install -y chromium)');
}
if (!executable) {
  console.warn(
    'browser tests skipped: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}

export const pdfText = (pdf: Buffer) => {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return Array.from({ length: doc.countPages() }, (_, i) =>
    doc.loadPage(i).toStructuredText('preserve-whitespace').asText(),
  )
    .join(' ')
    .replace(/\s+/g, ' ');
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const screenshots = join(process.cwd(), 'artifacts', 'screenshots');

/** axe-core's serious and critical violations on the current page, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the pages' policy (script-src 'none') refuses inline scripts.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    type Violation = { id: string; impact: string; nodes: { target: string[] }[] };
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}
