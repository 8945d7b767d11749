import { sql, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { IncidentsTable } from '../schema.js';
import type {
  ContinuityRepository,
  IncidentRecord,
  ProvisionalProcedure,
  Reserve,
} from '../../../services/continuity/ports.js';

async function withDetails(db: Database, rows: Selectable<IncidentsTable>[]): Promise<IncidentRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [services, updates] = await Promise.all([
    db.selectFrom('incident_services').selectAll().where('incident_id', 'in', ids).execute(),
    db
      .selectFrom('incident_updates')
      .selectAll()
      .where('incident_id', 'in', ids)
      .orderBy('at')
      .orderBy('id')
      .execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    title: r.title,
    impact: r.impact,
    state: r.state,
    source: r.source,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    createdAt: r.created_at,
    services: services.filter((s) => s.incident_id === r.id).map((s) => s.service_code),
    updates: updates
      .filter((u) => u.incident_id === r.id)
      .map((u) => ({ at: u.at, state: u.state, message: u.message })),
  }));
}

function selectProvisional(db: Database) {
  return db
    .selectFrom('provisional_procedures as p')
    .innerJoin('contracting_authorities as ca', 'ca.id', 'p.contracting_authority_id')
    .innerJoin('incidents as i', 'i.id', 'p.incident_id')
    .leftJoin('tenders as t', 't.id', 'p.tender_id')
    .selectAll('p')
    .select([
      'ca.name as ca_name',
      'ca.regional_section_code as ca_section',
      'i.code as incident_code',
      't.tender_number',
    ]);
}

type ProvisionalRow = Awaited<ReturnType<ReturnType<typeof selectProvisional>['executeTakeFirstOrThrow']>>;

async function provisionalWithLots(db: Database, rows: ProvisionalRow[]): Promise<ProvisionalProcedure[]> {
  if (rows.length === 0) return [];
  const lots = await db
    .selectFrom('provisional_lots as pl')
    .leftJoin('lots as l', 'l.id', 'pl.lot_id')
    .selectAll('pl')
    .select('l.cig')
    .where(
      'pl.procedure_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('pl.lot_number')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    contractingAuthorityId: r.contracting_authority_id,
    contractingAuthorityName: r.ca_name,
    regionalSectionCode: r.ca_section,
    rupUserId: r.rup_user_id,
    object: r.object,
    procedureTypeCode: r.procedure_type_code,
    sector: r.sector,
    contractObject: r.contract_object,
    urgencyReasonCode: r.urgency_reason_code,
    motivation: r.motivation,
    incidentId: r.incident_id,
    incidentCode: r.incident_code,
    state: r.state,
    registeredAt: r.registered_at,
    regularisationDeadline: r.regularisation_deadline,
    regularisedAt: r.regularised_at,
    tenderId: r.tender_id,
    tenderNumber: r.tender_number,
    lots: lots
      .filter((l) => l.procedure_id === r.id)
      .map((l) => ({
        id: l.id,
        lotNumber: l.lot_number,
        object: l.object,
        amountCents: l.amount_cents,
        cpvCode: l.cpv_code,
        istatPlaceCode: l.istat_place_code,
        publicationDate: l.publication_date,
        invitationDate: l.invitation_date,
        bidDeadline: l.bid_deadline,
        lotId: l.lot_id,
        cig: l.cig,
      })),
  }));
}

function selectReserves(db: Database) {
  return db
    .selectFrom('reserves as r')
    .innerJoin('lots as l', 'l.id', 'r.lot_id')
    .innerJoin('tenders as t', 't.id', 'l.tender_id')
    .innerJoin('contracting_authorities as ca', 'ca.id', 't.contracting_authority_id')
    .innerJoin('incidents as i', 'i.id', 'r.incident_id')
    .selectAll('r')
    .select([
      'l.cig',
      't.contracting_authority_id',
      'ca.regional_section_code as ca_section',
      'i.code as incident_code',
    ]);
}

type ReserveRow = Awaited<ReturnType<ReturnType<typeof selectReserves>['executeTakeFirstOrThrow']>>;

const toReserve = (r: ReserveRow): Reserve => ({
  id: r.id,
  lotId: r.lot_id,
  cig: r.cig,
  contractingAuthorityId: r.contracting_authority_id,
  regionalSectionCode: r.ca_section,
  fiscalCode: r.fiscal_code,
  bidderName: r.bidder_name,
  incidentId: r.incident_id,
  incidentCode: r.incident_code,
  note: r.note,
  state: r.state,
  deadline: r.deadline,
  recordedAt: r.recorded_at,
  liftedAt: r.lifted_at,
  liftedByReceipt: r.lifted_by_receipt,
  expiredAt: r.expired_at,
});

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export function continuityRepository(db: Database): ContinuityRepository {
  const incidentBy = (idOrCode: string) =>
    db
      .selectFrom('incidents')
      .selectAll()
      .where(isUuid(idOrCode) ? 'id' : 'code', '=', idOrCode);
  return {
    async insertReminder(r) {
      const row = await db
        .insertInto('reminders')
        .values({
          id: r.id,
          user_id: r.userId,
          subject_type: r.subjectType,
          subject_id: r.subjectId,
          day: r.day,
          message: r.message,
          created_at: r.createdAt,
        })
        .onConflict((oc) => oc.columns(['subject_type', 'subject_id', 'day']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async listReminders(userId, limit) {
      const rows = await db
        .selectFrom('reminders')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        day: r.day,
        message: r.message,
        createdAt: r.created_at,
      }));
    },
    async services() {
      return db.selectFrom('services').select(['code', 'name', 'description']).orderBy('position').execute();
    },
    async nextIncidentSequence() {
      const { rows } = await sql<{ n: number }>`SELECT nextval('incident_seq') AS n`.execute(db);
      return Number(rows[0]?.n);
    },
    async insertIncident(i, firstUpdate) {
      await db
        .insertInto('incidents')
        .values({
          id: i.id,
          code: i.code,
          title: i.title,
          impact: i.impact,
          state: i.state,
          source: i.source,
          started_at: i.startedAt,
          resolved_at: null,
          created_at: i.createdAt,
          created_by: i.createdBy,
        })
        .execute();
      await db
        .insertInto('incident_services')
        .values(i.services.map((s) => ({ incident_id: i.id, service_code: s })))
        .execute();
      await db
        .insertInto('incident_updates')
        .values({
          id: firstUpdate.id,
          incident_id: i.id,
          state: i.state,
          message: firstUpdate.message,
          at: i.createdAt,
          created_by: i.createdBy,
        })
        .execute();
    },
    async findIncident(idOrCode) {
      return (await withDetails(db, await incidentBy(idOrCode).execute()))[0];
    },
    async lockIncident(idOrCode) {
      return (await withDetails(db, await incidentBy(idOrCode).forUpdate().execute()))[0];
    },
    async updateIncident(id, c) {
      await db
        .updateTable('incidents')
        .set({
          state: c.state,
          ...(c.impact ? { impact: c.impact } : {}),
          ...(c.title ? { title: c.title } : {}),
          ...(c.resolvedAt !== undefined ? { resolved_at: c.resolvedAt } : {}),
        })
        .where('id', '=', id)
        .execute();
      if (c.services) {
        await db.deleteFrom('incident_services').where('incident_id', '=', id).execute();
        await db
          .insertInto('incident_services')
          .values(c.services.map((s) => ({ incident_id: id, service_code: s })))
          .execute();
      }
    },
    async addIncidentUpdate(u) {
      await db
        .insertInto('incident_updates')
        .values({
          id: u.id,
          incident_id: u.incidentId,
          state: u.state,
          message: u.message,
          at: u.at,
          created_by: u.createdBy,
        })
        .execute();
    },
    async listIncidents({ since }) {
      const rows = await db
        .selectFrom('incidents')
        .selectAll()
        .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)]))
        .orderBy('started_at', 'desc')
        .execute();
      return withDetails(db, rows);
    },
    async incidentsTouching(services, from, to) {
      const rows = await db
        .selectFrom('incidents as i')
        .selectAll('i')
        .where('i.started_at', '<', to)
        .where((eb) => eb.or([eb('i.resolved_at', 'is', null), eb('i.resolved_at', '>', from)]))
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('incident_services as s')
              .select('s.incident_id')
              .whereRef('s.incident_id', '=', 'i.id')
              .where('s.service_code', 'in', [...services]),
          ),
        )
        .orderBy('i.started_at')
        .execute();
      return withDetails(db, rows);
    },

    async insertMaintenance(m) {
      await db
        .insertInto('maintenances')
        .values({
          id: m.id,
          title: m.title,
          description: m.description,
          starts_at: m.startsAt,
          ends_at: m.endsAt,
          cancelled_at: null,
          created_at: m.createdAt,
          created_by: m.createdBy,
        })
        .execute();
      await db
        .insertInto('maintenance_services')
        .values(m.services.map((s) => ({ maintenance_id: m.id, service_code: s })))
        .execute();
    },
    async cancelMaintenance(id, at) {
      const r = await db
        .updateTable('maintenances')
        .set({ cancelled_at: at })
        .where('id', '=', id)
        .where('cancelled_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async findMaintenance(id) {
      const row = await db.selectFrom('maintenances').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const services = await db
        .selectFrom('maintenance_services')
        .select('service_code')
        .where('maintenance_id', '=', id)
        .execute();
      return {
        id: row.id,
        title: row.title,
        description: row.description,
        startsAt: row.starts_at,
        endsAt: row.ends_at,
        cancelledAt: row.cancelled_at,
        services: services.map((s) => s.service_code),
      };
    },

    async listMaintenances({ since }) {
      const rows = await db
        .selectFrom('maintenances')
        .selectAll()
        .where('ends_at', '>=', since)
        .orderBy('starts_at')
        .execute();
      if (rows.length === 0) return [];
      const services = await db
        .selectFrom('maintenance_services')
        .selectAll()
        .where(
          'maintenance_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({
        id: r.id,
        title: r.title,
        description: r.description,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        cancelledAt: r.cancelled_at,
        services: services.filter((s) => s.maintenance_id === r.id).map((s) => s.service_code),
      }));
    },

    async nextProvisionalSequence() {
      const { rows } = await sql<{ n: number }>`SELECT nextval('provisional_seq') AS n`.execute(db);
      return Number(rows[0]?.n);
    },
    async insertProvisional(p, lots) {
      await db
        .insertInto('provisional_procedures')
        .values({
          id: p.id,
          reference: p.reference,
          contracting_authority_id: p.contractingAuthorityId,
          rup_user_id: p.rupUserId,
          object: p.object,
          procedure_type_code: p.procedureTypeCode,
          sector: p.sector,
          contract_object: p.contractObject,
          urgency_reason_code: p.urgencyReasonCode,
          motivation: p.motivation,
          incident_id: p.incidentId,
          registered_at: p.registeredAt,
          regularisation_deadline: p.regularisationDeadline,
          regularised_at: null,
          tender_id: null,
        })
        .execute();
      await db
        .insertInto('provisional_lots')
        .values(
          lots.map((l) => ({
            id: l.id,
            procedure_id: p.id,
            lot_number: l.lotNumber,
            object: l.object,
            amount_cents: l.amountCents,
            cpv_code: l.cpvCode,
            istat_place_code: l.istatPlaceCode,
            publication_date: l.publicationDate,
            invitation_date: l.invitationDate,
            bid_deadline: l.bidDeadline,
            lot_id: null,
          })),
        )
        .execute();
    },
    async findProvisional(reference) {
      return (
        await provisionalWithLots(
          db,
          await selectProvisional(db).where('p.reference', '=', reference).execute(),
        )
      )[0];
    },
    async lockProvisional(reference) {
      const rows = await selectProvisional(db).where('p.reference', '=', reference).forUpdate('p').execute();
      return (await provisionalWithLots(db, rows))[0];
    },
    async bindProvisionalLot(provisionalLotId, lotId) {
      await db
        .updateTable('provisional_lots')
        .set({ lot_id: lotId })
        .where('id', '=', provisionalLotId)
        .execute();
    },
    async markRegularised(id, tenderId, at) {
      await db
        .updateTable('provisional_procedures')
        .set({ state: 'regularised', tender_id: tenderId, regularised_at: at })
        .where('id', '=', id)
        .execute();
    },
    async listProvisional(f) {
      let q = selectProvisional(db);
      if (f.contractingAuthorityId) q = q.where('p.contracting_authority_id', '=', f.contractingAuthorityId);
      if (f.regionalSectionCode) q = q.where('ca.regional_section_code', '=', f.regionalSectionCode);
      if (f.state) q = q.where('p.state', '=', f.state);
      if (f.deadlineBefore) q = q.where('p.regularisation_deadline', '<', f.deadlineBefore);
      return provisionalWithLots(
        db,
        await q.orderBy('p.regularisation_deadline').orderBy('p.reference').execute(),
      );
    },

    async insertReserve(r) {
      await db
        .insertInto('reserves')
        .values({
          id: r.id,
          lot_id: r.lotId,
          fiscal_code: r.fiscalCode,
          bidder_name: r.bidderName,
          incident_id: r.incidentId,
          note: r.note,
          deadline: r.deadline,
          recorded_at: r.recordedAt,
          recorded_by: r.recordedBy,
          lifted_at: null,
          lifted_by_receipt: null,
          expired_at: null,
        })
        .execute();
    },
    async listReserves(f) {
      let q = selectReserves(db);
      if (f.lotId) q = q.where('r.lot_id', '=', f.lotId);
      if (f.contractingAuthorityId) q = q.where('t.contracting_authority_id', '=', f.contractingAuthorityId);
      if (f.fiscalCode) q = q.where('r.fiscal_code', '=', f.fiscalCode);
      return (await q.orderBy('r.recorded_at').orderBy('r.id').execute()).map(toReserve);
    },
    async setReserveDeadlines(incidentId, deadline) {
      await db
        .updateTable('reserves')
        .set({ deadline })
        .where('incident_id', '=', incidentId)
        .where('state', '=', 'open')
        .execute();
    },
    async liftReserve(lotId, fiscalCode, receiptId, at) {
      const r = await db
        .updateTable('reserves')
        .set({ state: 'lifted', lifted_at: at, lifted_by_receipt: receiptId })
        .where('lot_id', '=', lotId)
        .where('fiscal_code', '=', fiscalCode)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async expireReserves(today, at) {
      const ids = await db
        .updateTable('reserves')
        .set({ state: 'expired', expired_at: at })
        .where('state', '=', 'open')
        .where('deadline', '<', today)
        // Only once the incident is over: until then nobody can pay.
        .where(
          'incident_id',
          'in',
          db.selectFrom('incidents').select('id').where('resolved_at', 'is not', null),
        )
        .returning('id')
        .execute();
      if (ids.length === 0) return [];
      return (
        await selectReserves(db)
          .where(
            'r.id',
            'in',
            ids.map((i) => i.id),
          )
          .execute()
      ).map(toReserve);
    },
  };
}
