import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Hostile pass (issue 14.3): `npm run build` (tsc -p tsconfig.build.json, lib ES2023, no DOM types)
 * failed with "Cannot find name 'CryptoKey'" in src/adapters/certificates/pades.ts, so the documented
 * `npm run build && node dist/cli/main.js serve` never started the service. `npx tsc --noEmit` did not
 * see it: the test files bring the DOM types in. The build's own configuration is checked here.
 */
describe('the production build configuration', () => {
  it('type-checks src with tsconfig.build.json', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const result = spawnSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noEmit', '--incremental', 'false'],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }, 320_000);
});
