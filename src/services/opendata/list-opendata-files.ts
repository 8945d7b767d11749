import { DomainError } from '../../domain/shared/errors.js';
import type { OpendataDeps, PublishedFile } from './ports.js';

/** The catalogue: every published file, newest period first, then by name. Public. */
export async function listOpendataFiles(deps: OpendataDeps): Promise<PublishedFile[]> {
  const files = await deps.opendata.files.list();
  return files.sort((a, b) => b.period.localeCompare(a.period) || a.name.localeCompare(b.name));
}

/** One published file, to stream. Public. */
export async function openOpendataFile(deps: OpendataDeps, input: { name: string }) {
  const found = await deps.opendata.files.find(input.name);
  if (!found) throw new DomainError('not_found', 'no published file has this name');
  return found;
}
