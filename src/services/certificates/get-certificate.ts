import { CERTIFICATE_ID_PATTERN } from '../../domain/certificates/downtime-certificate.js';
import { notFound } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { StoredCertificate } from './ports.js';

/** A downtime certificate: public (anyone may read and download it). */
export async function getCertificate(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
): Promise<StoredCertificate> {
  const found = CERTIFICATE_ID_PATTERN.test(id)
    ? await deps.store.certificates.findCertificate(id)
    : undefined;
  if (!found) throw notFound(`certificate ${id}`);
  return found;
}

/** The signed PDF of a downtime certificate, as issued (byte for byte). */
export async function getCertificatePdf(deps: Pick<ServiceDeps, 'store'>, id: string): Promise<Buffer> {
  const pdf = CERTIFICATE_ID_PATTERN.test(id) ? await deps.store.certificates.certificatePdf(id) : undefined;
  if (!pdf) throw notFound(`certificate ${id}`);
  return pdf;
}
