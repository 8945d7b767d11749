import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * Validates an XML string against an XSD file with xmllint (libxml2 compiled to WebAssembly).
 *
 * xmllint runs on an in-memory file system: the schemas are copied there keeping their relative layout
 * (paths relative to the deepest folder that contains all of them), so `xs:import`/`xs:include`
 * `schemaLocation`s such as `../../xsd-common/common.xsd` resolve exactly as on disk. Pass in
 * `extraXsdPaths` every file the main schema imports, directly or not (see `xsdImportsOf`).
 */
export async function validateAgainstXsd(
  xml: string,
  mainXsdPath: string,
  extraXsdPaths: string[],
): Promise<{ valid: boolean; errors: string[] }> {
  const main = resolve(mainXsdPath);
  const extras = extraXsdPaths.map((p) => resolve(p)).filter((p) => p !== main);
  const base = commonDir([main, ...extras]);
  const inMemory = (p: string) => relative(base, p).split(sep).join('/');
  const instanceName = uniqueName('instance.xml', [main, ...extras].map(inMemory));
  let result: Awaited<ReturnType<typeof validateXML>>;
  try {
    result = await validateXML({
      xml: { fileName: instanceName, contents: xml },
      schema: { fileName: inMemory(main), contents: readFileSync(main, 'utf8') },
      preload: [...new Set(extras)].map((p) => ({
        fileName: inMemory(p),
        contents: readFileSync(p, 'utf8'),
      })),
    });
  } catch (err) {
    // xmllint exits with "schema failed to compile" (e.g. an import not passed in extraXsdPaths):
    // a broken set-up, not an invalid document, so it must not look like { valid: false }.
    const detail = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' | ') : String(err);
    throw new Error(`xmllint could not use the schema ${mainXsdPath}: ${detail}`, { cause: err });
  }
  return {
    valid: result.valid,
    errors: result.errors.map((e) => (e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message)),
  };
}

/**
 * The schema files a schema pulls in through `import`/`include`/`redefine` with a `schemaLocation`,
 * transitively, as absolute paths (the schema itself excluded). Remote locations (http:) are skipped.
 */
export function xsdImportsOf(xsdPath: string): string[] {
  const start = resolve(xsdPath);
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const text = readFileSync(file, 'utf8');
    const re = /<(?:[\w.-]+:)?(?:import|include|redefine)\b[^>]*?\bschemaLocation\s*=\s*["']([^"']+)["']/g;
    for (const m of text.matchAll(re)) {
      const location = m[1];
      if (location === undefined || /^[a-z][a-z0-9+.-]*:/i.test(location)) continue;
      const target = resolve(dirname(file), location);
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  seen.delete(start);
  return [...seen];
}

function commonDir(paths: string[]): string {
  const split = paths.map((p) => dirname(p).split(sep));
  const first = split[0] ?? [];
  let n = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < n && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}

function uniqueName(wanted: string, taken: string[]): string {
  let name = wanted;
  for (let i = 1; taken.includes(name); i++) name = `instance-${i}.xml`;
  return name;
}

/**
 * The SOAP body's root element as a standalone document. Namespace declarations it relies on but that
 * sit on the Envelope (as in pagoPA's examples) are copied onto it.
 */
export function bodyRoot(envelope: string): string {
  const open = /<(?:([\w.-]+):)?Body\b[^>]*>/.exec(envelope);
  if (open === null) throw new Error('no SOAP Body');
  const closeTag = `</${open[1] === undefined ? '' : `${open[1]}:`}Body>`;
  const end = envelope.lastIndexOf(closeTag);
  if (end < 0) throw new Error('unterminated SOAP Body');
  const inner = envelope.slice(open.index + open[0].length, end).trim();
  const start = /^<(?:([\w.-]+):)?[\w.-]+/.exec(inner);
  if (start === null) throw new Error('empty SOAP Body');
  const prefix = start[1];
  const attr = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
  const rootStartTag = inner.slice(0, inner.indexOf('>'));
  if (rootStartTag.includes(`${attr}=`)) return inner;
  const declaration = new RegExp(`\\s${attr}\\s*=\\s*("[^"]*"|'[^']*')`).exec(envelope);
  if (declaration === null) return inner;
  return `${start[0]} ${attr}=${declaration[1]}${inner.slice(start[0].length)}`;
}
