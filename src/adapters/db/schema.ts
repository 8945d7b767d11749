import type { ColumnType, Generated } from 'kysely';

/** Row types as the drivers return them (int8 -> number, date -> 'YYYY-MM-DD', timestamptz -> Date). */
type Timestamp = ColumnType<Date, Date, Date>;
type DateOnly = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string, string>;

export interface ReferenceDataVersionsTable {
  name: string;
  sha256: string;
  row_count: number;
  loaded_at: Generated<Date>;
}
export interface CpvCodesTable {
  code: string;
  description_it: string;
  description_en: string;
}
export interface DatedCodeTable {
  code: string;
  valid_from: DateOnly | null;
  valid_to: DateOnly | null;
}
export interface IstatPlacesTable extends DatedCodeTable {
  name: string;
}
export interface DescribedCodeTable extends DatedCodeTable {
  description: string;
}

export interface RegionalSectionsTable {
  code: string;
  name: string;
  region_name: string;
  region_istat: string;
  province_istat: string | null;
  city: string;
  pec: string;
  aoo_code: string;
  letterhead_offices: Generated<string>;
  website: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContractingAuthoritiesTable {
  id: string;
  fiscal_code: string;
  ausa_code: string;
  name: string;
  istat_place_code: string;
  regional_section_code: string;
  pec: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CostCentresTable {
  id: string;
  contracting_authority_id: string;
  code: string;
  name: string;
  active: Generated<boolean>;
  created_at: Timestamp;
}

export interface EconomicOperatorsTable {
  id: string;
  fiscal_code: string;
  vat_number: string | null;
  name: string;
  pec: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type Role = 'rup' | 'economic_operator' | 'regional_staff' | 'authority_staff' | 'admin';

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  fiscal_code: string | null;
  role: Role;
  contracting_authority_id: string | null;
  economic_operator_id: string | null;
  regional_section_code: string | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  token_sha256: string;
  label: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface WebSessionsTable {
  token_sha256: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  sign_in: 'demo' | 'oidc';
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_sha256: string;
  status_code: number | null;
  response: Json | null;
  created_at: Timestamp;
}

export interface TendersTable {
  id: string;
  tender_number: number;
  contracting_authority_id: string;
  cost_centre_id: string | null;
  rup_user_id: string;
  object: string;
  procedure_type_code: string;
  sector: 'ordinary' | 'special';
  contract_object: 'works' | 'supplies' | 'services';
  state: Generated<'active' | 'cancelled'>;
  lot_count: Generated<number>;
  cancel_reason: number | null;
  cancel_note: string | null;
  cancelled_at: Timestamp | null;
  cancelled_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LotsTable {
  id: string;
  tender_id: string;
  lot_number: number;
  cig: string;
  object: string;
  amount_cents: number;
  cpv_code: string;
  istat_place_code: string;
  state: Generated<'issued' | 'perfected' | 'cancelled'>;
  acquired_at: Timestamp;
  perfection_deadline: DateOnly;
  publication_date: DateOnly | null;
  invitation_date: DateOnly | null;
  bid_deadline: Timestamp | null;
  perfected_at: Timestamp | null;
  perfected_by: string | null;
  cancel_reason: number | null;
  cancel_note: string | null;
  cancelled_at: Timestamp | null;
  cancelled_by: string | null;
  created_by: string;
}

export interface SmartCigsTable {
  id: string;
  cig: string;
  contracting_authority_id: string;
  rup_user_id: string;
  contract_type: string;
  contract_object: 'works' | 'supplies' | 'services';
  procedure_type_code: string;
  object: string;
  amount_cents: number;
  cup: string | null;
  state: Generated<'issued' | 'cancelled'>;
  created_at: Timestamp;
  cancelled_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json | null;
  after: Json | null;
  request_id: string | null;
}

export interface SaGroupingsTable {
  id: string;
  contracting_authority_id: string;
  period: string;
  amount_cents: number;
  tender_count: number;
  created_at: Timestamp;
}

export interface SaGroupingItemsTable {
  grouping_id: string;
  tender_id: string;
  tender_amount_cents: number;
  fee_cents: number;
  fee_table: string;
}

export interface PaymentPositionsTable {
  id: string;
  kind: 'bidder_lot' | 'authority_grouping';
  iuv: string;
  notice_number: string;
  creditor_fiscal_code: string;
  debtor_fiscal_code: string;
  debtor_name: string;
  debtor_type: 'F' | 'G';
  economic_operator_id: string | null;
  lot_id: string | null;
  grouping_id: string | null;
  subject: string;
  amount_cents: number;
  due_date: DateOnly;
  fee_table: string;
  state: Generated<'open' | 'paid' | 'cancelled'>;
  activated_at: Timestamp | null;
  paid_at: Timestamp | null;
  paid_receipt_id: string | null;
  settled_at: Timestamp | null;
  settlement_flow_id: string | null;
  created_at: Timestamp;
  created_by: string | null;
}

export interface ReceiptsTable {
  id: string;
  position_id: string | null;
  status: 'applied' | 'repeated' | 'review' | 'ko';
  fault_code: string | null;
  version: 'v1' | 'v2';
  receipt_id: string;
  notice_number: string;
  creditor_fiscal_code: string;
  outcome: 'OK' | 'KO';
  amount_cents: number;
  psp_id: string;
  psp_name: string;
  channel_id: string;
  payment_method: string | null;
  payment_date_time: Timestamp | null;
  payer_fiscal_code: string | null;
  raw_xml: string;
  received_at: Timestamp;
}

export interface ReportingFlowsTable {
  flow_id: string;
  flow_date_time: Timestamp;
  settlement_id: string;
  settlement_date: DateOnly;
  psp_id: string;
  total_payments: number;
  total_amount_cents: number;
  settled_count: number;
  unknown_count: number;
  mismatch_count: number;
  raw_xml: string;
  imported_at: Timestamp;
  imported_by: string | null;
}

export interface ReportingFlowLinesTable {
  flow_id: string;
  line: number;
  iuv: string;
  receipt_id: string;
  amount_cents: number;
  outcome: number;
  outcome_date: DateOnly;
  position_id: string | null;
  result: 'settled' | 'unknown_iuv' | 'amount_mismatch' | 'not_settled';
  expected_amount_cents: number | null;
}

export interface ServicesTable {
  code: string;
  name: string;
  description: string;
  position: number;
}
export interface IncidentsTable {
  id: string;
  code: string;
  title: string;
  impact: 'degraded' | 'partial_outage' | 'major_outage';
  state: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  source: 'staff' | 'probe';
  started_at: Timestamp;
  resolved_at: Timestamp | null;
  created_at: Timestamp;
  created_by: string | null;
}
export interface IncidentServicesTable {
  incident_id: string;
  service_code: string;
}
export interface IncidentUpdatesTable {
  id: string;
  incident_id: string;
  state: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  message: string;
  at: Timestamp;
  created_by: string | null;
}
export interface MaintenancesTable {
  id: string;
  title: string;
  description: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  cancelled_at: Timestamp | null;
  created_at: Timestamp;
  created_by: string | null;
}
export interface MaintenanceServicesTable {
  maintenance_id: string;
  service_code: string;
}
export interface ProvisionalProceduresTable {
  id: string;
  reference: string;
  contracting_authority_id: string;
  rup_user_id: string;
  object: string;
  procedure_type_code: string;
  sector: 'ordinary' | 'special';
  contract_object: 'works' | 'supplies' | 'services';
  urgency_reason_code: string;
  motivation: string;
  incident_id: string;
  state: Generated<'pending' | 'regularised'>;
  registered_at: Timestamp;
  regularisation_deadline: DateOnly;
  regularised_at: Timestamp | null;
  tender_id: string | null;
}
export interface ProvisionalLotsTable {
  id: string;
  procedure_id: string;
  lot_number: number;
  object: string;
  amount_cents: number;
  cpv_code: string;
  istat_place_code: string;
  publication_date: DateOnly | null;
  invitation_date: DateOnly | null;
  bid_deadline: Timestamp;
  lot_id: string | null;
}
export interface ReservesTable {
  id: string;
  lot_id: string;
  fiscal_code: string;
  bidder_name: string;
  incident_id: string;
  note: string | null;
  state: Generated<'open' | 'lifted' | 'expired'>;
  deadline: DateOnly;
  recorded_at: Timestamp;
  recorded_by: string;
  lifted_at: Timestamp | null;
  lifted_by_receipt: string | null;
  expired_at: Timestamp | null;
}

export interface RemindersTable {
  id: string;
  user_id: string;
  subject_type: string;
  subject_id: string;
  day: DateOnly;
  message: string;
  created_at: Timestamp;
}

export interface NoticesTable {
  id: string;
  title: string;
  notice_date: DateOnly;
  body: string;
  kind: 'outage' | 'maintenance' | 'restoration' | 'information';
  incident_id: string | null;
  /** The maintenance the comunicato announces (migration 0021); at most one of incident and maintenance. */
  maintenance_id: string | null;
  source_url: string | null;
  state: 'draft' | 'published';
  restoration_of: string | null;
  created_at: Timestamp;
  created_by: string | null;
  published_at: Timestamp | null;
  published_by: string | null;
}
export interface NoticeServicesTable {
  notice_id: string;
  service_code: string;
}
export interface ProtocolCountersTable {
  aoo_code: string;
  register_code: string;
  year: number;
  last_number: number;
}
export interface ProtocolRegistrationsTable {
  id: string;
  aoo_code: string;
  register_code: string;
  year: number;
  number: number;
  direction: 'U' | 'E';
  registered_at: Timestamp;
  subject: string;
  correspondents: Json;
  correspondent_count: number;
  document_name: string;
  document_sha256: string;
  segnatura_xml: string;
  registered_by: string | null;
}
export interface ProtocolAnnulmentsTable {
  registration_id: string;
  annulled_at: Timestamp;
  operator_id: string;
  operator_name: string;
  measure: string;
  reason: string;
}
export interface RelaysTable {
  id: string;
  notice_id: string;
  regional_section_code: string;
  registration_id: string;
  restoration_of: string | null;
  letter_pdf: Buffer;
  letter_sha256: string;
  recipient_count: number;
  created_at: Timestamp;
  created_by: string;
}
export interface OutboxTable {
  id: string;
  kind: 'relay' | 'notification' | 'confirmation' | 'reminder';
  channel: 'email' | 'webhook';
  relay_id: string | null;
  subscription_id: string | null;
  event_id: string | null;
  recipient_name: string;
  address: string;
  contracting_authority_id: string | null;
  idempotency_key: string;
  message_id: string;
  subject: string;
  body: string;
  state: Generated<'queued' | 'sending' | 'accepted' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  failure: 'transient' | 'permanent' | null;
  accepted_at: Timestamp | null;
  delivered_at: Timestamp | null;
  failed_at: Timestamp | null;
  created_at: Timestamp;
}
export interface OutboxEventsTable {
  id: Generated<number>;
  outbox_id: string;
  at: Timestamp;
  event: string;
  detail: string | null;
}
export interface PecReceiptsTable {
  id: string;
  outbox_id: string | null;
  kind: string;
  reference_message_id: string | null;
  recipient: string | null;
  conformant: boolean;
  problems: Json;
  raw: Buffer;
  raw_sha256: string;
  received_at: Timestamp;
  status: 'applied' | 'review';
  signer: string | null;
  received_by: string | null;
}
export interface SubscriptionsTable {
  id: string;
  channel: 'email' | 'webhook';
  address: string;
  secret: string | null;
  state: 'pending' | 'active' | 'unsubscribed';
  confirm_token_sha256: string;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
}
export interface SubscriptionServicesTable {
  subscription_id: string;
  service_code: string;
}
export interface NotificationEventsTable {
  id: string;
  event_key: string;
  kind: string;
  services: string[];
  payload: Json;
  created_at: Timestamp;
}

export interface DB {
  reference_data_versions: ReferenceDataVersionsTable;
  cpv_codes: CpvCodesTable;
  istat_places: IstatPlacesTable;
  procedure_types: DescribedCodeTable;
  urgency_reasons: DescribedCodeTable;
  regional_sections: RegionalSectionsTable;
  contracting_authorities: ContractingAuthoritiesTable;
  cost_centres: CostCentresTable;
  economic_operators: EconomicOperatorsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  web_sessions: WebSessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  tenders: TendersTable;
  lots: LotsTable;
  smart_cigs: SmartCigsTable;
  audit_log: AuditLogTable;
  sa_groupings: SaGroupingsTable;
  sa_grouping_items: SaGroupingItemsTable;
  payment_positions: PaymentPositionsTable;
  receipts: ReceiptsTable;
  reporting_flows: ReportingFlowsTable;
  reporting_flow_lines: ReportingFlowLinesTable;
  services: ServicesTable;
  incidents: IncidentsTable;
  incident_services: IncidentServicesTable;
  incident_updates: IncidentUpdatesTable;
  maintenances: MaintenancesTable;
  maintenance_services: MaintenanceServicesTable;
  provisional_procedures: ProvisionalProceduresTable;
  provisional_lots: ProvisionalLotsTable;
  reserves: ReservesTable;
  reminders: RemindersTable;
  notices: NoticesTable;
  notice_services: NoticeServicesTable;
  protocol_counters: ProtocolCountersTable;
  protocol_registrations: ProtocolRegistrationsTable;
  protocol_annulments: ProtocolAnnulmentsTable;
  relays: RelaysTable;
  outbox: OutboxTable;
  outbox_events: OutboxEventsTable;
  pec_receipts: PecReceiptsTable;
  subscriptions: SubscriptionsTable;
  subscription_services: SubscriptionServicesTable;
  notification_events: NotificationEventsTable;
}
