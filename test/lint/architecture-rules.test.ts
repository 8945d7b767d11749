import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The ESLint rules of issue 11, point 1 (eslint.config.js): under src/http and src/jobs no import from
 * src/adapters and no read of the store; the same code under src/services is allowed. The snippets are
 * linted as if they were files at those paths, with the project's own configuration, so a rule that is
 * removed, misspelt or scoped to the wrong folders makes this test fail.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const ARCHITECTURE_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

// Only the two architecture rules run, and without type information (the snippets are not in the
// TypeScript project, so the project service would refuse them).
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: `${root}eslint.config.js`,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ARCHITECTURE_RULES.has(ruleId),
});

const reported = async (code: string, path: string) => {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }));
};

const snippets = {
  adapterImport: `import { openDatabase } from '../../adapters/db/database.js';\nexport const open = openDatabase;\n`,
  adapterTypeImport: `import type { DatabaseHandle } from '../../adapters/db/database.js';\nexport type H = DatabaseHandle;\n`,
  adapterReExport: `export { openDatabase } from '../../adapters/db/database.js';\n`,
  adapterDynamicImport: `export const load = () => import('../../adapters/db/database.js');\n`,
  adapterTypeQuery: `export type H = import('../../adapters/db/database.js').DatabaseHandle;\n`,
  depsStore: `export const read = (deps: { store: { x: number } }) => deps.store.x;\n`,
  computedDepsStore: `export const read = (deps: { store: { x: number } }) => deps['store'].x;\n`,
  optionalDepsStore: `export const read = (deps?: { store: { x: number } }) => deps?.store.x;\n`,
  nestedDepsStore: `export const read = (o: { deps: { store: { x: number } } }) => o.deps.store.x;\n`,
  destructuredStore: `export const read = (deps: { store: { x: number } }) => { const { store } = deps; return store; };\n`,
  storeInHand: `export const read = (store: { lots: { x: number } }) => store.lots.x;\n`,
};

describe('architecture rules (eslint.config.js)', () => {
  it('refuse an import of src/adapters under src/http and src/jobs, in every form', async () => {
    for (const path of [
      'src/http/routes/example.routes.ts',
      'src/http/routes/area/x.routes.ts',
      'src/jobs/x.ts',
    ]) {
      for (const name of [
        'adapterImport',
        'adapterTypeImport',
        'adapterReExport',
        'adapterDynamicImport',
        'adapterTypeQuery',
      ] as const) {
        const messages = await reported(snippets[name], path);
        expect(messages, `${name} in ${path}`).toHaveLength(1);
        expect(messages[0]!.message, `${name} in ${path}`).toMatch(/must not import src\/adapters/);
      }
    }
    // One level up from src/http (src/http/app.ts importing '../adapters/...').
    const app = await reported(
      `import { x } from '../adapters/mail/webhooks.js';\nexport { x };\n`,
      'src/http/app.ts',
    );
    expect(app.map((m) => m.rule)).toEqual(['no-restricted-imports']);
  });

  it('refuse reading the store under src/http and src/jobs', async () => {
    for (const path of ['src/http/routes/example.routes.ts', 'src/http/portal/x.pages.ts', 'src/jobs/x.ts']) {
      for (const name of [
        'depsStore',
        'computedDepsStore',
        'optionalDepsStore',
        'nestedDepsStore',
        'destructuredStore',
        'storeInHand',
      ] as const) {
        const messages = await reported(snippets[name], path);
        expect(messages.length, `${name} in ${path}: ${JSON.stringify(messages)}`).toBeGreaterThan(0);
        expect(messages.every((m) => m.rule === 'no-restricted-syntax')).toBe(true);
        expect(messages[0]!.message).toMatch(/must not read the store/);
      }
    }
  });

  it('allow the same code in src/services, in tests and for names that only look alike', async () => {
    for (const [name, code] of Object.entries(snippets)) {
      expect(await reported(code, 'src/services/tenders/example.ts'), name).toEqual([]);
      expect(await reported(code, 'src/http/routes/example.test.ts'), name).toEqual([]);
    }
    const innocent = `import { useCase } from '../../services/tenders/create-tender.js';\nimport { x } from '../../domain/adapters-like/x.js';\nexport const f = (deps: { storeName: string }) => [useCase, x, deps.storeName];\n`;
    expect(await reported(innocent, 'src/http/routes/example.routes.ts')).toEqual([]);
  });
});
