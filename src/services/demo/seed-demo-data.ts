import { withNumericCheckDigit, personalCheckChar } from '../../domain/registry/fiscal-code.js';
import { regionalSections } from '../../domain/registry/regions.js';
import { audit, type ServiceDeps } from '../context.js';
import { createTender } from '../tenders/create-tender.js';
import { perfectLot } from '../tenders/perfect-lot.js';
import { requestSmartCig } from '../tenders/request-smart-cig.js';
import { issueToken } from '../registry/issue-token.js';
import { addDays, romeDateOf } from '../../domain/shared/dates.js';
import { lotBidderContribution } from '../payments/contributions.js';
import { actorFromUser, systemActor } from '../../domain/registry/actor.js';
import type { Role, User } from '../../domain/registry/registry.js';

/**
 * Demo data for the embedded default: the 21 regional sections, two contracting authorities per
 * section with their RUPs, regional staff, economic operators and a few tenders. Fiscal codes are
 * synthetic (valid check digits, not real entities); e-mail domains are *.example.
 */
export interface DemoToken {
  role: Role;
  name: string;
  email: string;
  token: string;
}

const SEED_ACTOR = systemActor('seed-demo');

const AOO_OF_PUGLIA = 'AOO_092'; // the outgoing register of the seed letter
export const SEED_COMUNICATO_URL =
  'http://www.anticorruzione.it/portal/public/classic/Comunicazione/News/news?id=4260f0350a7780420ece5b805831d681';

const rupNames = [
  'Maria Rossi',
  'Giuseppe Russo',
  'Anna Ferrari',
  'Antonio Esposito',
  'Francesca Bianchi',
  'Giovanni Romano',
  'Laura Colombo',
  'Marco Ricci',
  'Chiara Marino',
  'Luca Greco',
  'Sara Bruno',
  'Paolo Gallo',
  'Elena Conti',
  'Andrea De Luca',
  'Giulia Mancini',
  'Stefano Costa',
  'Valentina Giordano',
  'Roberto Rizzo',
  'Federica Lombardi',
  'Alessandro Moretti',
  'Silvia Barbieri',
];

const operators = [
  { name: 'Edilizia Adriatica S.r.l.', vat: '0231456072' },
  { name: 'Forniture Sanitarie Italia S.p.A.', vat: '0458812001' },
  { name: 'Servizi Informatici Appulo-Lucani S.r.l.', vat: '0712399072' },
  { name: 'Costruzioni Alpine S.p.A.', vat: '0188271021' },
  { name: 'Manutenzioni Tirreniche S.c.a.r.l.', vat: '0367120058' },
];

function demoPersonalCode(index: number): string {
  const day = String((index % 28) + 1).padStart(2, '0');
  const first15 = `DMOUSR80A${day}H501`.slice(0, 15);
  return first15 + personalCheckChar(first15);
}

const DEMO_NOTICE_BODY = [
  "A seguito di un guasto tecnico al sistema di alimentazione elettrica della sede dell'Autorità Nazionale Anticorruzione, i servizi online dell'ANAC hanno subito diverse interruzioni a partire dal 3 maggio u.s..",
  '',
  "L'Autorità sta lavorando per risolvere la problematica quanto prima. Alcune stazioni appaltanti ed operatori economici sono comunque riusciti ad acquisire il CIG ovvero ad effettuare il pagamento del contributo in sede di gara anche dopo il 3 maggio, pertanto gli stessi restano pienamente validi ed utilizzabili.",
  '',
  'Per gli utenti che invece si siano collegati nei momenti di interruzione del servizio, si forniscono le seguenti indicazioni:',
  '',
  "- per quanto riguarda l'acquisizione dei CIG e SmartCIG, per gli affidamenti urgenti e non rinviabili, si invitano le stazioni appaltanti ad avviare le procedure e pubblicare gli atti di gara procedendo successivamente alla regolarizzazione dell'acquisizione del CIG e alla comunicazione all'Autorità dei dati di pubblicazione; a tal fine, la stazione appaltante indicherà negli atti di gara che il CIG è in fase di acquisizione, provvedendo successivamente alla sua pubblicazione;",
  '- con riferimento ai servizi per il pagamento della contribuzione in sede di gara, si invitano le stazioni appaltanti ad ammettere alle procedure in scadenza gli operatori economici che manifestassero o avessero manifestato difficoltà nel pagamento del contributo, con riserva di regolarizzazione della posizione contributiva appena la piattaforma di pagamento sarà nuovamente disponibile.',
  '',
  'Seguirà nuovo avviso ad avvenuto ripristino dei servizi.',
].join('\n');

export async function seedDemoData(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals' | 'smartCigOrdinals'>,
): Promise<{
  seeded: boolean;
  tokens: DemoToken[];
}> {
  const { clock, ids } = deps;
  const now = clock.now();
  if ((await deps.store.authorities.listContractingAuthorities({ limit: 1, offset: 0 })).total > 0) {
    return { seeded: false, tokens: [] };
  }
  const tokens: DemoToken[] = [];
  const users: User[] = [];

  await deps.store.transaction(async (tx) => {
    const txDeps = { ...deps, store: tx };

    async function addUser(
      role: Role,
      name: string,
      email: string,
      link: Partial<Pick<User, 'contractingAuthorityId' | 'economicOperatorId' | 'regionalSectionCode'>> = {},
    ): Promise<User> {
      const user: User = {
        id: ids.uuid(),
        name,
        email,
        fiscalCode: demoPersonalCode(users.length),
        role,
        contractingAuthorityId: link.contractingAuthorityId ?? null,
        economicOperatorId: link.economicOperatorId ?? null,
        regionalSectionCode: link.regionalSectionCode ?? null,
        active: true,
        createdAt: now,
        updatedAt: now,
      };
      await tx.users.insertUser(user);
      users.push(user);
      const { token } = await issueToken(txDeps, { userId: user.id, label: 'demo' }, SEED_ACTOR);
      tokens.push({ role, name, email, token });
      return user;
    }

    for (const s of regionalSections) {
      await tx.sections.upsertSection(
        {
          code: s.code,
          name: `Sezione regionale dell'Osservatorio dei contratti pubblici - ${s.regionName}`,
          regionName: s.regionName,
          regionIstat: s.regionIstat,
          provinceIstat: s.provinceIstat,
          city: s.city,
          pec: `osservatorio.${s.code.toLowerCase()}@pec.regione.example`,
          aooCode: s.code === 'PUG' ? AOO_OF_PUGLIA : `AOO_OSS_${s.code}`,
        },
        now,
      );
    }
    // The seed letter's letterhead: the offices above the Puglia section and the region's site.
    await tx.sections.updateSection(
      'PUG',
      {
        letterheadOffices: ['SEGRETERIA GENERALE DELLA PRESIDENZA', 'SEZIONE GESTIONE INTEGRATA ACQUISTI'],
        website: 'www.regione.puglia.it',
      },
      now,
    );
    await addUser('admin', 'Amministratore di sistema', 'admin@gara.example');
    const staff = await addUser(
      'authority_staff',
      "Ufficio servizi on line dell'Autorità",
      'servizi.online@autorita.example',
    );
    // The comunicato of the seed letter, published, for a regional section to relay (POST
    // /api/v1/notices/{id}/relays with the Puglia staff token; without SMTP the e-mails are .eml files).
    await tx.notices.insertNotice({
      id: ids.uuid(),
      title: "Interruzione dei servizi on line dell'Autorità",
      noticeDate: '2021-05-06',
      kind: 'outage',
      incidentId: null,
      maintenanceId: null,
      // The source link the seed letter gives.
      sourceUrl: SEED_COMUNICATO_URL,
      state: 'published',
      restorationOf: null,
      services: ['cig_issuance', 'smart_cig', 'contribution_payments'],
      body: DEMO_NOTICE_BODY,
      createdAt: now,
      createdBy: staff.id,
    });

    let serial = 0;
    for (const s of regionalSections) {
      const place = (await tx.reference.searchPlaces(s.city.toUpperCase(), 5)).find(
        (p) => p.name === s.city.toUpperCase() || p.name.startsWith(`${s.city.toUpperCase()}/`),
      );
      if (!place) throw new Error(`demo seed: no ISTAT place for ${s.city}`);
      const authorities = [
        { name: s.provinceIstat ? s.regionName : `Regione ${s.regionName}`, kind: 'regione' },
        { name: `Comune di ${s.city}`, kind: 'comune' },
      ];
      for (const a of authorities) {
        serial += 1;
        const id = ids.uuid();
        await tx.authorities.insertContractingAuthority({
          id,
          fiscalCode: withNumericCheckDigit(`80${String(serial).padStart(5, '0')}072`.slice(0, 10)),
          ausaCode: `00002${String(40000 + serial).padStart(5, '0')}`,
          name: a.name,
          istatPlaceCode: place.code,
          regionalSectionCode: s.code,
          pec: `protocollo.${a.kind}.${s.code.toLowerCase()}@pec.demo.example`,
          createdAt: now,
        });
        await tx.authorities.insertCostCentre(
          id,
          { id: ids.uuid(), code: 'CDC-01', name: 'Ufficio gare e contratti', active: true },
          now,
        );
        const rupName = rupNames[(serial - 1) % rupNames.length] as string;
        await addUser('rup', rupName, `rup.${a.kind}.${s.code.toLowerCase()}@demo.example`, {
          contractingAuthorityId: id,
        });
      }
      await addUser(
        'regional_staff',
        `Referente Osservatorio ${s.regionName}`,
        `osservatorio.${s.code.toLowerCase()}@regione.example`,
        {
          regionalSectionCode: s.code,
        },
      );
    }

    for (const o of operators) {
      const vat = withNumericCheckDigit(o.vat);
      const id = ids.uuid();
      await tx.operators.insertEconomicOperator({
        id,
        fiscalCode: vat,
        vatNumber: vat,
        name: o.name,
        pec: `gare@pec.${vat}.example`,
        createdAt: now,
      });
      await addUser('economic_operator', `Legale rappresentante ${o.name}`, `oe.${vat}@demo.example`, {
        economicOperatorId: id,
      });
    }

    // A few tenders, issued through the services so that codes and audit trail are genuine.
    const rupOf = (email: string) => actorFromUser(users.find((u) => u.email === email) as User);
    const pugliaRup = rupOf('rup.regione.pug@demo.example');
    const bariRup = rupOf('rup.comune.pug@demo.example');
    const romaRup = rupOf('rup.comune.laz@demo.example');
    const first = await createTender(
      txDeps,
      {
        object: 'Servizi di manutenzione degli edifici regionali - triennio',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'services',
        costCentre: 'CDC-01',
        lots: [
          { object: 'Lotto 1 - Sedi di Bari', amount: '480000.00', cpv: '50700000', place: '016072006' },
          { object: 'Lotto 2 - Sedi di Lecce', amount: '310000.00', cpv: '50700000', place: '016075035' },
        ],
      },
      pugliaRup,
    );
    const firstLot = first.lots[0];
    if (firstLot) {
      await perfectLot(
        txDeps,
        {
          cig: firstLot.cig,
          publicationDate: romeDateOf(now),
          bidDeadline: new Date(`${addDays(romeDateOf(now), 35)}T12:00:00+01:00`),
        },
        pugliaRup,
      );
    }
    await createTender(
      txDeps,
      {
        object: 'Fornitura di arredi scolastici',
        procedureType: '9',
        sector: 'ordinary',
        contractObject: 'supplies',
        lots: [
          {
            object: 'Arredi per le scuole primarie',
            amount: '95000.00',
            cpv: '39160000',
            place: '016072006',
          },
        ],
      },
      bariRup,
    );
    await createTender(
      txDeps,
      {
        object: 'Lavori di rifacimento del manto stradale',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'works',
        lots: [
          { object: 'Municipio I', amount: '1250000.00', cpv: '45233140', place: '012058091' },
          { object: 'Municipio II', amount: '980000.00', cpv: '45233140', place: '012058091' },
          { object: 'Municipio III', amount: '760000.00', cpv: '45233140', place: '012058091' },
        ],
      },
      romaRup,
    );
    await requestSmartCig(
      txDeps,
      {
        contractType: 'under_threshold',
        contractObject: 'supplies',
        procedureType: '10',
        object: 'Fornitura di cancelleria per gli uffici comunali',
        amount: '3500.00',
      },
      bariRup,
    );
    await tx.audit.append([
      audit(SEED_ACTOR, now, 'demo.seeded', { type: 'system', id: 'demo' }, null, { users: users.length }),
    ]);
  });
  return { seeded: true, tokens };
}

/** A demo lot a bidder can pay the contribution for now (for the start-up banner). */
export async function payableDemoCig(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
): Promise<string | undefined> {
  const lots = await deps.store.lots.listOpenForBids(deps.clock.now(), 20);
  return lots.find((l) => lotBidderContribution(l, l.tenderCreatedAt).amountCents > 0)?.cig;
}
