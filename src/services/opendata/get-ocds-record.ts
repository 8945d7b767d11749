import { DomainError } from '../../domain/shared/errors.js';
import { compiledRelease, ocdsDate, releasesOf } from './ocds.js';
import type { OpendataDeps } from './ports.js';
import { packageHead } from './publish-ocds-releases.js';

/** The record package of one ocid: every release of the tender and its compiled release. Public. */
export async function getOcdsRecordPackage(deps: OpendataDeps, input: { ocid: string }): Promise<object> {
  const prefix = `${deps.opendata.ocidPrefix}-`;
  const number = input.ocid.startsWith(prefix) ? input.ocid.slice(prefix.length) : '';
  if (!/^[0-9]{7}$/.test(number)) throw new DomainError('not_found', 'no procedure has this ocid');
  const tender = await deps.opendata.repository.ocdsTender(Number(number));
  if (!tender) throw new DomainError('not_found', 'no procedure has this ocid');
  const releases = releasesOf(deps.opendata, tender);
  const uri = `${deps.opendata.publicUrl()}/opendata/ocds/records/${input.ocid}.json`;
  return {
    ...packageHead(deps, uri),
    publishedDate: ocdsDate(new Date(releases[releases.length - 1]!.date)),
    records: [{ ocid: input.ocid, releases, compiledRelease: compiledRelease(releases) }],
  };
}
