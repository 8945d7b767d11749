import type { Cell } from './datasets.js';

/** One lot as the "cig" dataset publishes it: read from the database, no personal data. */
export interface CigExportRow {
  cig: string;
  tenderNumber: number;
  tenderObject: string;
  tenderAmountCents: number;
  lotCount: number;
  lotObject: string;
  amountCents: number;
  contractObject: 'works' | 'supplies' | 'services';
  state: 'issued' | 'perfected' | 'cancelled';
  sector: 'ordinary' | 'special';
  istatPlaceCode: string;
  acquiredAt: Date;
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date | null;
  procedureTypeCode: string;
  procedureTypeName: string | null;
  ausaCode: string;
  authorityFiscalCode: string;
  authorityName: string;
  sectionName: string | null;
  costCentreCode: string | null;
  costCentreName: string | null;
  cpvCode: string;
  cpvDescription: string | null;
  cancelReason: number | null;
  cancelledAt: Date | null;
  perfectedAt: Date | null;
  urgencyReasonCode: string | null;
}

export interface SmartCigExportRow {
  cig: string;
  contractType: string;
  contractObject: 'works' | 'supplies' | 'services';
  procedureTypeCode: string;
  procedureTypeName: string | null;
  object: string;
  amountCents: number;
  cup: string | null;
  state: 'issued' | 'cancelled';
  createdAt: Date;
  cancelledAt: Date | null;
  ausaCode: string;
  authorityFiscalCode: string;
  authorityName: string;
}

export interface AuthorityExportRow {
  fiscalCode: string;
  ausaCode: string;
  name: string;
  istatPlaceCode: string;
  sectionCode: string;
  sectionName: string | null;
  active: boolean;
  createdAt: Date;
}

/** A tender with every lot, for OCDS releases. */
export interface OcdsTenderRow {
  id: string;
  tenderNumber: number;
  object: string;
  procedureTypeCode: string;
  procedureTypeName: string | null;
  contractObject: 'works' | 'supplies' | 'services';
  state: 'active' | 'cancelled';
  createdAt: Date;
  cancelledAt: Date | null;
  cancelReason: number | null;
  authorityFiscalCode: string;
  authorityName: string;
  /** When the procedure really started, for one begun with "CIG in fase di acquisizione". */
  provisionalRegisteredAt: Date | null;
  lots: OcdsLotRow[];
}

export interface OcdsLotRow {
  cig: string;
  lotNumber: number;
  object: string;
  amountCents: number;
  cpvCode: string;
  cpvDescription: string | null;
  istatPlaceCode: string;
  acquiredAt: Date;
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date | null;
  perfectedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: number | null;
}

/** A half-open instant range [from, to). */
export interface InstantRange {
  from: Date;
  to: Date;
}

/**
 * Reads for the open data exports, page by page in a stable order (keyset pagination): works the same
 * on PGlite and PostgreSQL and never holds more than one page.
 */
export interface OpendataRepository {
  /** Lots acquired in the range ('month'), or acquired, perfected or cancelled in it ('delta'), by CIG. */
  cigPage(
    range: InstantRange,
    mode: 'month' | 'delta',
    afterCig: string,
    limit: number,
  ): Promise<CigExportRow[]>;
  /**
   * The same rows, all of them, in batches of about `batch`: the CIG file's read (PostgreSQL: one query
   * through a cursor; PGlite: keyset pages).
   */
  cigBatches(range: InstantRange, mode: 'month' | 'delta', batch: number): AsyncIterable<CigExportRow[]>;
  smartCigPage(
    range: InstantRange,
    mode: 'month' | 'delta',
    afterCig: string,
    limit: number,
  ): Promise<SmartCigExportRow[]>;
  /** Contracting authorities registered before the range's end, by fiscal code. */
  authorityPage(before: Date, afterFiscalCode: string, limit: number): Promise<AuthorityExportRow[]>;
  /** Tenders with an event (creation, lot issued, perfected or cancelled, cancellation) in the range. */
  ocdsTenderPage(range: InstantRange, afterTenderNumber: number, limit: number): Promise<OcdsTenderRow[]>;
  /** One tender by number, with its lots (null when unknown). */
  ocdsTender(tenderNumber: number): Promise<OcdsTenderRow | null>;
  /**
   * Takes the period's export run for `holder` until `leaseUntil` (in every process: a database row);
   * false when another holder's run is still within its lease.
   */
  claimExportRun(period: string, holder: string, now: Date, leaseUntil: Date): Promise<boolean>;
  /** Ends the holder's run of the period. */
  releaseExportRun(period: string, holder: string): Promise<void>;
}

/** A published file, as the catalogue lists it. */
export interface PublishedFile {
  /** The file's name, also its URL path under /opendata/files/ (or /opendata/ocds/). */
  name: string;
  dataset: string;
  /** 'YYYY-MM' for monthly files, 'YYYY-MM-DD' for daily deltas, the ocid for records. */
  period: string;
  format: 'csv' | 'json';
  bytes: number;
  sha256: string;
  rows: number;
  licence: 'CC-BY-4.0';
}

export type PublishedFileEntry = Omit<PublishedFile, 'bytes' | 'sha256' | 'rows' | 'licence'>;

/**
 * Where the files go: written under a temporary name, then renamed, so that a reader (and the catalogue)
 * sees a whole file or none. The catalogue lists only files whose description was written after them.
 */
export interface OpendataFileStore {
  publish(
    entry: PublishedFileEntry,
    content: AsyncIterable<string>,
    countRows: () => number,
  ): Promise<PublishedFile>;
  list(): Promise<PublishedFile[]>;
  /** The file's description and a way to stream it, or null when not published. */
  find(name: string): Promise<{ file: PublishedFile; open(): NodeJS.ReadableStream } | null>;
}

/** Turns rows of cells into the text of a CSV or JSON file, chunk by chunk. */
export interface TabularEncoder {
  csv(columns: readonly string[], rows: AsyncIterable<Cell[]>): AsyncIterable<string>;
  json(columns: readonly string[], rows: AsyncIterable<Cell[]>): AsyncIterable<string>;
}

/**
 * Produces a period's files away from the API's thread (PostgreSQL: a worker thread of low priority with
 * its own connection, src/adapters/opendata/export-worker.ts): the same files as produceOpendataFiles.
 */
export interface OpendataProducer {
  produce(period: string, publicUrl: string): Promise<PublishedFile[]>;
}

/** What the open data use cases need, wired in src/container.ts. */
export interface OpendataServices {
  repository: OpendataRepository;
  files: OpendataFileStore;
  encoder: TabularEncoder;
  /** The registered OCDS ocid prefix (default the Authority's, ocds-hu01ve). */
  ocidPrefix: string;
  /** The base of the packages' uri fields (the public URL). */
  publicUrl: () => string;
  /** Rows read per database page. */
  pageSize: number;
  /** Where exports run when not in this thread (absent: here, e.g. on PGlite). */
  producer?: OpendataProducer | undefined;
}
export interface OpendataDeps {
  opendata: OpendataServices;
}
