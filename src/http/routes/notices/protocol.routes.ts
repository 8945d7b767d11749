import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError } from '../../../domain/shared/errors.js';
import type { ServiceDeps } from '../../../services/context.js';
import { annulRegistration } from '../../../services/notices/annul-registration.js';
import { dailyRegister } from '../../../services/notices/daily-register.js';
import { getSegnatura } from '../../../services/notices/get-segnatura.js';
import { listRegister } from '../../../services/notices/list-register.js';
import { registerDocument } from '../../../services/notices/register-document.js';
import { ProtocolRegistrar } from '../../../services/notices/register-outgoing.js';
import { IdempotencyHeaders, IsoDate, errors } from '../../common.schemas.js';
import { actorOf, sendCreated } from '../../request-context.js';
import { IdParams, security } from './notices.schemas.js';
import {
  AnnulmentBody,
  AooParams,
  DailyRegisterParams,
  DailyRegisterQuery,
  presentRegistration,
  RegistrationBody,
  RegistrationView,
} from './protocol.schemas.js';

/** The sections' protocol registers (protocol officers): registrations, segnatura, annulments, daily register. */
export const protocolRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  registrar?: ProtocolRegistrar | undefined;
}> = async (app, { deps, registrar: given }) => {
  const registrar = given ?? new ProtocolRegistrar(deps);
  app.get(
    '/protocol/:aoo/registrations',
    {
      schema: {
        tags: ['Protocol'],
        summary: "A day's registrations of an AOO's register (protocol officers)",
        security,
        params: AooParams,
        querystring: Type.Object({ date: IsoDate }, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(RegistrationView) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      items: (
        await listRegister(deps, { aooCode: request.params.aoo, date: request.query.date }, actorOf(request))
      ).map(presentRegistration),
    }),
  );
  app.post(
    '/protocol/:aoo/registrations',
    {
      schema: {
        tags: ['Protocol'],
        summary:
          "Register an outgoing document (PDF) in the AOO's register: number, fingerprint, signed segnatura",
        security,
        headers: IdempotencyHeaders,
        params: AooParams,
        body: RegistrationBody,
        response: { 201: RegistrationView, ...errors(400, 401, 403, 404) },
      },
      bodyLimit: 15 * 1024 * 1024,
    },
    async (request, reply) =>
      sendCreated(deps, request, reply, async (store) => {
        const { subject, correspondents, document } = request.body;
        // With an Idempotency-Key the registration shares the key's transaction; without, the registrar batches.
        const keyed = typeof request.headers['idempotency-key'] === 'string';
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(document.contentBase64)) {
          throw new DomainError('validation_failed', 'document.contentBase64 is not base64', {
            field: 'document.contentBase64',
          });
        }
        const outcome = await registerDocument(
          { ...deps, store },
          keyed ? undefined : registrar,
          {
            aooCode: request.params.aoo,
            subject,
            correspondents,
            fileName: document.fileName,
            content: Buffer.from(document.contentBase64, 'base64'),
          },
          actorOf(request),
        );
        return presentRegistration(outcome.registration);
      }),
  );
  app.get(
    '/protocol/registrations/:id/segnatura.xml',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'The signed segnatura XML of a registration',
        security,
        params: IdParams,
        response: { 200: Type.Unknown(), ...errors(401, 404) },
      },
    },
    async (request, reply) =>
      reply
        .type('application/xml; charset=utf-8')
        .send(await getSegnatura(deps, request.params.id, actorOf(request))),
  );
  app.post(
    '/protocol/registrations/:id/annulment',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'Annul a registration: it stays visible with date, operator and authorising measure',
        security,
        params: IdParams,
        body: AnnulmentBody,
        response: { 200: RegistrationView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      presentRegistration(
        await annulRegistration(
          deps,
          { registrationId: request.params.id, ...request.body },
          actorOf(request),
        ),
      ),
  );
  app.get(
    '/protocol/:aoo/daily-registers/:date',
    {
      schema: {
        tags: ['Protocol'],
        summary: 'The daily register: JSON (with its SHA-256 in X-Content-SHA256) or PDF (?format=pdf)',
        security,
        params: DailyRegisterParams,
        querystring: DailyRegisterQuery,
        response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const out = await dailyRegister(
        deps,
        { aooCode: request.params.aoo, date: request.params.date },
        actorOf(request),
      );
      reply.header('x-content-sha256', out.sha256);
      if (request.query.format === 'pdf') return reply.type('application/pdf').send(out.pdf);
      return reply.type('application/json; charset=utf-8').send(out.json);
    },
  );
};
