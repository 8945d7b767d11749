import { Type } from 'typebox';
import { serviceCodes } from '../../../domain/continuity/continuity-rules.js';
import { invalidField } from '../../../domain/shared/errors.js';
import type { Notice } from '../../../services/notices/ports.js';
import { DateTime, IsoDate, Nullable, Offset, Uuid } from '../../common.schemas.js';

export const security = [{ bearer: [] }];
export const ServiceCode = Type.Union(serviceCodes.map((c) => Type.Literal(c)));
export const IdParams = Type.Object({ id: Uuid });

export const NoticeView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  noticeDate: Type.String(),
  body: Type.String(),
  kind: Type.String(),
  incidentId: Nullable(Type.String()),
  maintenanceId: Nullable(Type.String()),
  sourceUrl: Nullable(Type.String()),
  state: Type.String(),
  restorationOf: Nullable(Type.String()),
  services: Type.Array(Type.String()),
  publishedAt: Nullable(DateTime),
});

export const presentNotice = (n: Notice) => ({
  id: n.id,
  title: n.title,
  noticeDate: n.noticeDate,
  body: n.body,
  kind: n.kind,
  incidentId: n.incidentId,
  maintenanceId: n.maintenanceId,
  sourceUrl: n.sourceUrl,
  state: n.state,
  restorationOf: n.restorationOf,
  services: n.services,
  publishedAt: n.publishedAt?.toISOString() ?? null,
});

export const NoticeListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Offset,
  },
  { additionalProperties: false },
);

export const NoticeBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    noticeDate: IsoDate,
    body: Type.String({ minLength: 1, maxLength: 20000 }),
    kind: Type.Union(['outage', 'maintenance', 'restoration', 'information'].map((k) => Type.Literal(k))),
    incident: Type.Optional(Type.String({ maxLength: 64 })),
    /** The id of the maintenance the comunicato announces (not with `incident`). */
    maintenance: Type.Optional(Uuid),
    services: Type.Optional(Type.Array(ServiceCode, { maxItems: 6 })),
    sourceUrl: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const ApprovalView = Type.Object({
  notice: NoticeView,
  relays: Type.Array(Type.Object({ id: Type.String(), protocol: Type.String(), recipients: Type.Integer() })),
});

/** The optional `{ "sourceUrl": "https://…" }` of an approval (no body at all is an approval too). */
export function sourceUrlOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const value = typeof body === 'object' ? (body as { sourceUrl?: unknown }).sourceUrl : body;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 2000)
    throw invalidField('sourceUrl', 'sourceUrl must be an http(s) URL of at most 2,000 characters');
  return value;
}
