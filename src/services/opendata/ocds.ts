import { startOfRomeDay, type IsoDate } from '../../domain/shared/dates.js';
import { cancellationLabel } from './datasets.js';
import type { OcdsLotRow, OcdsTenderRow } from './ports.js';

/** The lots extension (tender.lots, items[].relatedLot) in the version that goes with OCDS 1.1.5. */
export const LOTS_EXTENSION =
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json';

/**
 * Procedure type (code list sceltaContraente) -> OCDS procurementMethod (codelist "method": open,
 * selective, limited, direct). Documented in docs/opendata.md.
 */
export const procurementMethods: Record<string, 'open' | 'selective' | 'limited' | 'direct'> = {
  '1': 'selective', // Dialogo competitivo
  '2': 'selective', // Procedura competitiva (per le concessioni)
  '3': 'selective', // Partenariato per l'innovazione
  '4': 'selective', // Negoziata con previa indizione di gara / competitiva con negoziazione
  '5': 'limited', // Negoziata senza previa indizione di gara
  '6': 'open', // Aperta
  '7': 'selective', // Altra procedura a più fasi
  '8': 'open', // Altra procedura a fase unica
  '9': 'selective', // Ristretta
  '10': 'direct', // Affidamento diretto
  '11': 'selective', // Accordo quadro
  '12': 'direct', // Affidamento diretto in adesione AQ/Convenzione
};

export const mainProcurementCategories = { works: 'works', supplies: 'goods', services: 'services' } as const;

export interface OcdsOptions {
  /** The registered ocid prefix (the Authority's: ocds-hu01ve). */
  ocidPrefix: string;
}

export type Release = Record<string, unknown> & { ocid: string; id: string; date: string; tag: string[] };

export const ocdsDate = (instant: Date): string => instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
const dayStart = (date: IsoDate): string => ocdsDate(startOfRomeDay(date));
const money = (cents: number) => ({ amount: cents / 100, currency: 'EUR' });

export const ocidOf = (options: OcdsOptions, tenderNumber: number): string =>
  `${options.ocidPrefix}-${tenderNumber}`;

type Tag = 'tender' | 'tenderUpdate' | 'tenderCancellation';

/** The instants at which something about the tender was released, oldest first, with their tag. */
export function tenderEvents(tender: OcdsTenderRow): { at: Date; tag: Tag }[] {
  const created = tender.provisionalRegisteredAt ?? tender.createdAt;
  const events = new Map<number, Tag>([[created.getTime(), 'tender']]);
  const add = (at: Date | null, tag: Tag) => {
    if (!at || at.getTime() < created.getTime()) return;
    const existing = events.get(at.getTime());
    if (existing === 'tender' || existing === 'tenderCancellation') return;
    events.set(at.getTime(), tag);
  };
  for (const lot of tender.lots) {
    add(lot.acquiredAt, 'tenderUpdate');
    add(lot.perfectedAt, 'tenderUpdate');
    add(lot.cancelledAt, 'tenderUpdate');
  }
  if (tender.cancelledAt) events.set(tender.cancelledAt.getTime(), 'tenderCancellation');
  return [...events.entries()].sort((a, b) => a[0] - b[0]).map(([ms, tag]) => ({ at: new Date(ms), tag }));
}

const reached = (instant: Date | null, at: Date) => instant !== null && instant.getTime() <= at.getTime();

function lotStatus(lot: OcdsLotRow, at: Date): 'cancelled' | 'active' | 'planned' {
  if (reached(lot.cancelledAt, at)) return 'cancelled';
  if (reached(lot.perfectedAt, at)) return 'active';
  return 'planned';
}

/** The tender as it stood at `at`: lots issued by then, perfection details once perfected. */
export function releaseAt(options: OcdsOptions, tender: OcdsTenderRow, at: Date, tag: Tag): Release {
  const ocid = ocidOf(options, tender.tenderNumber);
  // A procedure started with "CIG in fase di acquisizione": its lots count from its real start.
  const started = tender.provisionalRegisteredAt !== null;
  const lots = tender.lots.filter((l) => started || reached(l.acquiredAt, at));
  const buyer = { id: `IT-CF-${tender.authorityFiscalCode}`, name: tender.authorityName };
  const cancelled = reached(tender.cancelledAt, at);
  const statuses = lots.map((l) => lotStatus(l, at));
  const perfected = lots.filter((l, i) => statuses[i] === 'active' || (started && l.bidDeadline !== null));
  const starts = perfected.map((l) => l.publicationDate ?? l.invitationDate).filter((d): d is string => !!d);
  const ends = perfected.map((l) => l.bidDeadline).filter((d): d is Date => d !== null);
  const tenderPeriod: Record<string, string> = {};
  if (starts.length > 0) tenderPeriod.startDate = dayStart(starts.sort()[0]!);
  if (ends.length > 0) tenderPeriod.endDate = ocdsDate(new Date(Math.max(...ends.map((d) => d.getTime()))));
  const method = procurementMethods[tender.procedureTypeCode];
  const release: Release = {
    ocid,
    id: `${ocid}-${ocdsDate(at).replace(/[-:]/g, '')}`,
    date: ocdsDate(at),
    tag: [tag],
    initiationType: 'tender',
    language: 'it',
    parties: [
      {
        id: buyer.id,
        name: tender.authorityName,
        identifier: { scheme: 'IT-CF', id: tender.authorityFiscalCode, legalName: tender.authorityName },
        roles: ['buyer', 'procuringEntity'],
      },
    ],
    buyer,
    tender: {
      id: String(tender.tenderNumber),
      title: tender.object,
      status: cancelled
        ? 'cancelled'
        : statuses.includes('active')
          ? 'active'
          : statuses.length > 0 && statuses.every((s) => s === 'cancelled')
            ? 'cancelled'
            : 'planned',
      ...(cancelled && tender.cancelReason !== null
        ? { statusDetails: cancellationLabel(tender.cancelReason) ?? undefined }
        : {}),
      procuringEntity: buyer,
      value: money(lots.filter((_, i) => statuses[i] !== 'cancelled').reduce((s, l) => s + l.amountCents, 0)),
      ...(method ? { procurementMethod: method } : {}),
      ...(tender.procedureTypeName ? { procurementMethodDetails: tender.procedureTypeName } : {}),
      mainProcurementCategory: mainProcurementCategories[tender.contractObject],
      ...(Object.keys(tenderPeriod).length > 0 ? { tenderPeriod } : {}),
      items: lots.map((l) => ({
        id: l.cig,
        description: l.object,
        classification: {
          scheme: 'CPV',
          id: l.cpvCode,
          ...(l.cpvDescription ? { description: l.cpvDescription } : {}),
        },
        relatedLot: l.cig,
      })),
      lots: lots.map((l, i) => ({
        id: l.cig,
        title: `Lotto ${l.lotNumber}`,
        description: l.object,
        status: statuses[i],
        ...(statuses[i] === 'cancelled' && l.cancelReason !== null
          ? { statusDetails: cancellationLabel(l.cancelReason) ?? undefined }
          : {}),
        value: money(l.amountCents),
      })),
    },
  };
  return release;
}

/** Every release of the tender, oldest first; within `range` when given. */
export function releasesOf(
  options: OcdsOptions,
  tender: OcdsTenderRow,
  range?: { from: Date; to: Date },
): Release[] {
  return tenderEvents(tender)
    .filter((e) => !range || (e.at >= range.from && e.at < range.to))
    .map((e) => releaseAt(options, tender, e.at, e.tag));
}

/** The compiled release: releases are whole snapshots, so the newest one, tagged "compiled". */
export function compiledRelease(releases: Release[]): Release {
  const last = releases[releases.length - 1]!;
  return { ...last, id: `${last.ocid}-compiled`, tag: ['compiled'] };
}
