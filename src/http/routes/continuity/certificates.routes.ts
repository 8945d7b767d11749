import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { verificationMessages } from '../../../domain/certificates/downtime-certificate.js';
import { DomainError } from '../../../domain/shared/errors.js';
import type { ServiceDeps } from '../../../services/context.js';
import { getCertificate, getCertificatePdf } from '../../../services/certificates/get-certificate.js';
import { myOutageCertificates } from '../../../services/certificates/my-outage-certificates.js';
import { MAX_VERIFIED_BYTES, verifyCertificate } from '../../../services/certificates/verify-certificate.js';
import { DateTime, Nullable, errors } from '../../common.schemas.js';
import { databaseDownPage } from '../../portal/portal.routes.js';
import { isUnavailable, statusOf } from '../../problem.js';
import { actorOf } from '../../request-context.js';
import { uploadedFile } from '../../single-file-upload.js';
import {
  CERTIFICATES_BASE,
  VERIFY_PATH,
  renderCertificatePage,
  renderNotFoundPage,
  renderVerifyPage,
} from '../../status/certificate-pages.js';
import { security } from './continuity.schemas.js';

const html = 'text/html; charset=utf-8';

/**
 * The public downtime certificates: `/stato/attestazioni/{id}` (page), `{id}.pdf`, `{id}.json` (the
 * flattened JWS JSON serialization), and the verification page. Anyone, no login.
 */
export const certificatePagesRoutes: FastifyPluginAsyncTypebox<{
  deps: ServiceDeps;
  /** The read deps (DATABASE_READ_URL): a certificate never changes once issued, the replicas serve it. */
  reads?: ServiceDeps;
}> = async (app, { deps, reads = deps }) => {
  // The upload: a browser's multipart form, or the raw file (PDF or JWS), up to 2 MB.
  for (const type of [
    'multipart/form-data',
    'application/pdf',
    'application/octet-stream',
    'application/jose',
    'application/jose+json',
  ]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_VERIFIED_BYTES }, (_req, body, done) =>
      done(null, body),
    );
  }
  app.setErrorHandler(async (error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (request.url.startsWith(VERIFY_PATH) && (status === 413 || status === 415)) {
      const problem =
        status === 413
          ? 'Il file supera la dimensione massima di 2 MB: un’attestazione di gara pesa poche decine di kB.'
          : 'Formato di invio non accettato: carica il file con il modulo (multipart/form-data) o come application/pdf.';
      return reply.status(status).type(html).send(renderVerifyPage(undefined, problem));
    }
    // The pages are read by people: a database that does not answer gets the portal's Italian page.
    if (isUnavailable(error)) {
      return reply
        .status(statusOf.service_unavailable)
        .header('retry-after', '5')
        .type(html)
        .send(databaseDownPage());
    }
    // not_found, or a path the input guard refused (a NUL, a lone surrogate): no such certificate either.
    if (
      error instanceof DomainError &&
      (error.code === 'not_found' ||
        (error.code === 'validation_failed' && (request.params as { name?: string }).name !== undefined))
    ) {
      const id = (request.params as { name?: string }).name ?? '';
      return reply
        .status(404)
        .type(html)
        .send(renderNotFoundPage(id.replace(/\.(pdf|json)$/, '')));
    }
    throw error;
  });

  app.get(VERIFY_PATH, { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(html).send(renderVerifyPage()),
  );

  app.post(VERIFY_PATH, { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : null;
    const file = body && uploadedFile(body, request.headers['content-type']);
    if (file === 'several') {
      return reply
        .status(400)
        .type(html)
        .send(renderVerifyPage(undefined, 'Hai caricato più file: carica un solo file alla volta.'));
    }
    if (!file) {
      return reply
        .status(400)
        .type(html)
        .send(renderVerifyPage(undefined, 'Nessun file caricato: scegli il PDF dell’attestazione.'));
    }
    const outcome = await verifyCertificate(deps, file);
    if (!outcome.valid && outcome.failure === 'not_a_certificate') {
      return reply
        .status(415)
        .type(html)
        .send(
          renderVerifyPage(
            undefined,
            `${verificationMessages.not_a_certificate.it} Carica il PDF dell’attestazione.`,
          ),
        );
    }
    return reply
      .status(outcome.valid ? 200 : 422)
      .type(html)
      .send(renderVerifyPage(outcome));
  });

  app.get<{ Params: { name: string } }>(
    `${CERTIFICATES_BASE}/:name`,
    { config: { auth: 'public', replicaRead: true }, schema: { hide: true } },
    async (request, reply) => {
      const { name } = request.params;
      const id = name.replace(/\.(pdf|json)$/, '');
      if (name.endsWith('.pdf')) {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${id}.pdf"`)
          .header('cache-control', 'public, max-age=86400, immutable')
          .send(await getCertificatePdf(reads, id));
      }
      const certificate = await getCertificate(reads, id);
      if (name.endsWith('.json')) {
        const [protectedHeader, payload, signature] = certificate.jws.split('.');
        return reply
          .type('application/jose+json')
          .header('content-disposition', `attachment; filename="${id}.json"`)
          .header('cache-control', 'public, max-age=86400, immutable')
          .send(JSON.stringify({ protected: protectedHeader, payload, signature }, null, 2));
      }
      return reply.type(html).send(renderCertificatePage(certificate.payload));
    },
  );
};

const LotCertificateView = Type.Object({
  cig: Type.String(),
  tenderNumber: Type.String(),
  object: Type.String(),
  bidDeadline: DateTime,
  incident: Type.String(),
  certificateId: Nullable(Type.String()),
  certificateUrl: Nullable(Type.String()),
});

/** For a RUP: the lots whose bid deadline fell inside an outage, and the certificate to attach. */
export const outageCertificatesRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    '/me/outage-certificates',
    {
      schema: {
        tags: ['Continuity'],
        summary:
          "A RUP's lots whose bid deadline fell inside an incident, with the downtime certificate to attach (d.lgs. 36/2023 art. 25 c.2)",
        security,
        response: { 200: Type.Object({ items: Type.Array(LotCertificateView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({
      items: (await myOutageCertificates(deps, actorOf(request))).map((c) => ({
        ...c,
        tenderNumber: String(c.tenderNumber),
        bidDeadline: c.bidDeadline.toISOString(),
        certificateUrl: c.certificateId ? `${CERTIFICATES_BASE}/${c.certificateId}` : null,
      })),
    }),
  );
};
