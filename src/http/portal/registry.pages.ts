import type { FastifyPluginAsync } from 'fastify';
import type { ServiceDeps } from '../../services/context.js';
import { send } from './forms.js';
import { html, page } from './layout.js';
import { registryAuthorityPages } from './registry-authorities.pages.js';
import { registryOperatorPages } from './registry-operators.pages.js';
import { registrySectionPages } from './registry-sections.pages.js';
import { registryUserPages } from './registry-users.pages.js';
import {
  authoritiesBase,
  operatorsBase,
  registryBase,
  registryCrumbs,
  sectionsBase,
  signedInAdmin,
  usersBase,
} from './registry-forms.js';

/**
 * The administrator's registry (issue "Administrator: manage the registry"): the index here; regional sections,
 * contracting authorities, users and economic operators in their own `registry-*.pages.ts`. Every rule
 * is the services'; a refusal is shown beside the field it names and nothing is written.
 */

export const registryPages: FastifyPluginAsync<{ deps: ServiceDeps; forgetTokens: () => void }> = async (
  app,
  { deps, forgetTokens },
) => {
  // --- index ---------------------------------------------------------------------------------------

  app.get(registryBase, async (request, reply) => {
    if (!signedInAdmin(request, reply)) return reply;
    const areas: [string, string, string][] = [
      [sectionsBase, 'Sezioni regionali', "le 21 sezioni dell'Osservatorio: PEC, sede e codice AOO"],
      [authoritiesBase, 'Stazioni appaltanti', 'registrazione, dati, centri di costo e RUP'],
      [usersBase, 'Utenti', 'creazione, disattivazione e token API'],
      [operatorsBase, 'Operatori economici', 'registrazione e dati'],
    ];
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Anagrafica',
        current: '/area-personale',
        breadcrumbs: registryCrumbs().slice(0, 2).concat({ label: 'Anagrafica' }),
        body: html`<h1>Anagrafica</h1>
          <p>Gestisci i soggetti registrati nel servizio.</p>
          <ul>
            ${areas.map(([href, label, text]) => html`<li><a href="${href}">${label}</a>: ${text}</li>`)}
          </ul>`.value,
      }),
    );
  });

  await app.register(registrySectionPages, { deps });
  await app.register(registryAuthorityPages, { deps });
  await app.register(registryUserPages, { deps, forgetTokens });
  await app.register(registryOperatorPages, { deps });
};
