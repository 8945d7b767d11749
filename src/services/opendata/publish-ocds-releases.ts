import type { Period } from './periods.js';
import { breather, slices } from './breather.js';
import { paged } from './paged.js';
import { LOTS_EXTENSION, ocdsDate, releasesOf } from './ocds.js';
import type { OcdsTenderRow, OpendataDeps, PublishedFile } from './ports.js';

export const OCDS_PUBLISHER = {
  name: 'Autorità Nazionale Anticorruzione',
  scheme: 'IT-CF',
  uid: '97584460584',
};
export const OCDS_LICENSE = 'https://creativecommons.org/licenses/by/4.0/';

class NoReleases extends Error {}

/** Tenders with an event in the period, one page at a time (the next one read while this one is used). */
function tendersIn(deps: OpendataDeps, period: Period): AsyncIterable<OcdsTenderRow> {
  const { repository } = deps.opendata;
  // Tenders carry their lots: smaller pages than the flat files.
  const limit = Math.max(1, Math.floor(deps.opendata.pageSize / 5));
  return paged(
    (after: number, size) => repository.ocdsTenderPage(period.range, after, size),
    (tender) => tender.tenderNumber,
    0,
    limit,
  );
}

/** The package's fields other than releases/records; publishedDate is data (the newest release's date). */
export function packageHead(deps: OpendataDeps, uri: string) {
  return {
    uri,
    version: '1.1',
    extensions: [LOTS_EXTENSION],
    publisher: OCDS_PUBLISHER,
    license: OCDS_LICENSE,
    publicationPolicy: `${deps.opendata.publicUrl()}/opendata/`,
  };
}

/**
 * The release package of a month (or the delta of a day): one release per event, by tender then date.
 * Streamed: the releases are written as they are built. publishedDate is the newest release's date, or
 * the period's start when it has none, so that a rerun gives the same bytes.
 */
export async function publishOcdsReleases(deps: OpendataDeps, period: Period): Promise<PublishedFile | null> {
  const name = period.kind === 'month' ? `ocds_${period.label}.json` : `ocds_delta_${period.label}.json`;
  const uri = `${deps.opendata.publicUrl()}/opendata/ocds/${name}`;
  const head = JSON.stringify(packageHead(deps, uri));
  let count = 0;
  let newest = period.range.from;
  async function* text(): AsyncIterable<string> {
    let buffer = `${head.slice(0, -1)},"releases":[`;
    const slice = slices();
    for await (const tender of tendersIn(deps, period)) {
      if (slice.due()) await breather();
      for (const release of releasesOf(deps.opendata, tender, period.range)) {
        buffer += `${count === 0 ? '\n' : ',\n'}${JSON.stringify(release)}`;
        count += 1;
        const at = new Date(release.date);
        if (at > newest) newest = at;
      }
      if (buffer.length > 64 * 1024) {
        yield buffer;
        buffer = '';
      }
    }
    // The schema asks for at least one release: a period without any publishes no package.
    if (count === 0) throw new NoReleases();
    yield `${buffer}\n],"publishedDate":${JSON.stringify(ocdsDate(newest))}}\n`;
  }
  try {
    return await deps.opendata.files.publish(
      { name, dataset: 'ocds', period: period.label, format: 'json' },
      text(),
      () => count,
    );
  } catch (error) {
    if (error instanceof NoReleases) return null;
    throw error;
  }
}
