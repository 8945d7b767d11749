import { certificateIdFor } from '../../domain/certificates/downtime-certificate.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import { outageAffectedLots } from '../continuity/outage-affected-lots.js';

export interface LotCertificate {
  cig: string;
  tenderNumber: number;
  object: string;
  bidDeadline: Date;
  incident: string;
  /** null while the incident is open (its certificate comes when it is resolved). */
  certificateId: string | null;
}

/**
 * For each of the RUP's lots whose bid deadline fell inside an incident window, the certificate to
 * attach to the deadline extension (d.lgs. 36/2023 art. 25 c.2). Only the RUP's own authority's lots.
 */
export async function myOutageCertificates(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  actor: Actor,
): Promise<LotCertificate[]> {
  requireRole(actor, 'rup');
  const out: LotCertificate[] = [];
  for (const lot of await outageAffectedLots(deps, actor)) {
    for (const reason of lot.reasons) {
      if (reason.kind !== 'bid_deadline_in_outage') continue;
      const id = certificateIdFor({ kind: 'incident', code: reason.incident });
      const issued = await deps.store.certificates.findCertificate(id);
      out.push({
        cig: lot.cig,
        tenderNumber: lot.tenderNumber,
        object: lot.object,
        bidDeadline: lot.bidDeadline,
        incident: reason.incident,
        certificateId: issued ? id : null,
      });
    }
  }
  return out;
}
