import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const file = readFileSync(new URL('../publiccode.yml', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
  license: string;
};

interface Description {
  shortDescription: string;
  longDescription: string;
  features: string[];
}
interface PublicCode {
  [key: string]: unknown;
  publiccodeYmlVersion: string;
  softwareVersion: string;
  developmentStatus: string;
  releaseDate: string;
  description: Record<string, Description>;
  legal?: { license?: string };
  maintenance?: { type?: string; contacts?: { name?: string }[] };
  localisation?: { localisationReady?: unknown; availableLanguages?: string[] };
  dependsOn: { open: { name: string; optional?: boolean }[] };
}

describe('publiccode.yml (Developers Italia, standard 0.4)', () => {
  const doc = parse(file) as PublicCode;

  it('has the keys the standard makes mandatory', () => {
    expect(doc.publiccodeYmlVersion).toBe('0.4');
    for (const key of ['name', 'url', 'platforms', 'developmentStatus', 'softwareType', 'description'])
      expect(doc[key], key).toBeTruthy();
    expect(doc.legal?.license).toBeTruthy();
    expect(['internal', 'contract', 'community', 'none']).toContain(doc.maintenance?.type);
    expect(doc.maintenance?.contacts?.[0]?.name).toBeTruthy();
    expect(typeof doc.localisation?.localisationReady).toBe('boolean');
    expect(doc.localisation?.availableLanguages).toEqual(expect.arrayContaining(['it', 'en']));
    expect(['concept', 'development', 'beta', 'stable', 'obsolete']).toContain(doc.developmentStatus);
    expect(doc.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('describes the software in Italian and English, long descriptions of at least 150 characters', () => {
    for (const lang of ['ita', 'eng']) {
      const d = doc.description[lang]!;
      expect(d.shortDescription.length, lang).toBeLessThanOrEqual(150);
      expect(d.longDescription.length, lang).toBeGreaterThanOrEqual(150);
      expect(d.features.length, lang).toBeGreaterThan(0);
    }
  });

  it('agrees with package.json and names its open dependencies', () => {
    expect(doc.softwareVersion).toBe(pkg.version);
    expect(doc.legal?.license).toBe(pkg.license);
    const open = doc.dependsOn.open;
    expect(open.map((d) => d.name)).toEqual(expect.arrayContaining(['Node.js', 'PostgreSQL']));
    expect(open.find((d) => d.name === 'PostgreSQL')?.optional).toBe(true);
  });
});
