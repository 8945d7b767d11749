import type { SimogAnswer, SimogCodec, SimogRequestFields } from '../../../services/simog/ports.js';
import { cancelLot } from '../../../services/simog/cancel-lot.js';
import { cancelTender } from '../../../services/simog/cancel-tender.js';
import { closeSession } from '../../../services/simog/close-session.js';
import { consultTender } from '../../../services/simog/consult-tender.js';
import { consultTenderNumber } from '../../../services/simog/consult-tender-number.js';
import { insertLot } from '../../../services/simog/insert-lot.js';
import { insertTender } from '../../../services/simog/insert-tender.js';
import { integrateCup } from '../../../services/simog/integrate-cup.js';
import { login } from '../../../services/simog/login.js';
import { loginRpnt } from '../../../services/simog/login-rpnt.js';
import { modifyLot } from '../../../services/simog/modify-lot.js';
import { modifyTender } from '../../../services/simog/modify-tender.js';
import { perfectLot } from '../../../services/simog/perfect-lot.js';
import { perfectTender } from '../../../services/simog/perfect-tender.js';
import { publish } from '../../../services/simog/publish.js';
import type { SimogCall, SimogDeps } from '../../../services/simog/simog-session.js';
import { done } from './simog.presenters.js';

type Handler = (
  deps: SimogDeps,
  r: SimogRequestFields,
  call: SimogCall,
  codec: SimogCodec,
) => Promise<SimogAnswer>;

const common = (r: SimogRequestFields) => ({
  ticket: r.field('ticket'),
  indexCollaborazione: r.field('indexCollaborazione'),
});

const perfection = (r: SimogRequestFields) => ({
  ...common(r),
  cig: r.field('cig'),
  dataPubblicazione: r.field('dataPubblicazione'),
  dataScadenzaPag: r.field('dataScadenzaPag'),
  oraScadenza: r.field('oraScadenza'),
});

async function loginAnswer(codec: SimogCodec, session: Promise<Awaited<ReturnType<typeof login>>>) {
  const { ticket, collaborations } = await session;
  return {
    before: codec.loginXml(
      ticket,
      collaborations.map((c) => ({ ...c })),
    ),
    success: true,
  };
}

/** Each supported operation: read its fields, call its one use case, present the answer. */
export const operations: Record<string, Handler> = {
  login: (deps, r, call, codec) =>
    loginAnswer(codec, login(deps, { login: r.field('login'), password: r.field('password') }, call)),
  loginRPNT: (deps, r, call, codec) =>
    loginAnswer(
      codec,
      loginRpnt(
        deps,
        { login: r.field('login'), password: r.field('password'), cfrup: r.field('cfrup') },
        call,
      ),
    ),
  chiudiSessione: async (deps, r, call, codec) =>
    done(codec, (await closeSession(deps, { ticket: r.field('ticket') }, call)).message),
  inserisciGara: async (deps, r, call) => {
    const { tenderNumber } = await insertTender(deps, { ...common(r), ...r.gara() }, call);
    return { before: `<id_gara>${tenderNumber}</id_gara>`, success: true };
  },
  inserisciLotto: async (deps, r, call, codec) => {
    const lotto = r.lotto();
    const lot = await insertLot(deps, { ...common(r), tenderNumber: r.field('id_gara'), ...lotto }, call);
    return {
      before: codec.cigBeanXml({ ...lot, cigCicle: lot.lotNumber }),
      success: true,
      after: lotto.cup ? codec.cupLottoXml({ ...lotto.cup, cig: lot.cig }) : '',
    };
  },
  modificaGara: async (deps, r, call, codec) =>
    done(
      codec,
      (await modifyTender(deps, { ...common(r), tenderNumber: r.field('id_gara'), ...r.gara() }, call))
        .message,
    ),
  modificaLotto: async (deps, r, call, codec) => {
    const result = await modifyLot(deps, { ...common(r), cig: r.field('cig'), ...r.lotto() }, call);
    return done(codec, result.message, codec.cupLottoXml(result.cup));
  },
  perfezionaGara: async (deps, r, call, codec) =>
    done(
      codec,
      (await perfectTender(deps, { ...common(r), tenderNumber: r.field('id_gara') }, call)).message,
    ),
  perfezionaLotto: async (deps, r, call, codec) =>
    done(codec, (await perfectLot(deps, perfection(r), call)).message),
  pubblica: async (deps, r, call, codec) =>
    done(codec, (await publish(deps, { ...perfection(r), publication: r.pubblicazione() }, call)).message),
  cancellaGara: async (deps, r, call, codec) =>
    done(
      codec,
      (
        await cancelTender(
          deps,
          {
            ...common(r),
            tenderNumber: r.field('id_gara'),
            idMotivazione: r.field('id_motivazione'),
            noteCanc: r.field('note_canc'),
          },
          call,
        )
      ).message,
    ),
  cancellaLotto: async (deps, r, call, codec) =>
    done(
      codec,
      (
        await cancelLot(
          deps,
          {
            ...common(r),
            cig: r.field('cig'),
            idMotivazione: r.field('id_motivazione'),
            noteCanc: r.field('note_canc'),
          },
          call,
        )
      ).message,
    ),
  consultaGara: async (deps, r, call, codec) => {
    const { gara, lotto, cup } = await consultTender(
      deps,
      { ticket: r.field('ticket'), cig: r.field('CIG') },
      call,
    );
    const dati = `${codec.garaXml('Gara', gara.attributes, gara.categories)}${codec.lottoXml(lotto, cup ?? undefined)}`;
    return { before: `<GaraXML><DatiGara>${dati}</DatiGara></GaraXML>`, success: true };
  },
  consultaNumeroGara: async (deps, r, call, codec) => {
    const { gara, cigs } = await consultTenderNumber(
      deps,
      { ticket: r.field('ticket'), tenderNumber: r.field('id_gara') },
      call,
    );
    const list = cigs.map((c) => `<CIG>${c}</CIG>`).join('');
    return {
      before: `<schedaGaraCig>${codec.garaXml('Gara', gara.attributes, gara.categories)}${list}</schedaGaraCig>`,
      success: true,
    };
  },
  integraCUP: async (deps, r, call, codec) => {
    const result = await integrateCup(
      deps,
      { ...common(r), cig: r.field('cig'), flagCup: r.field('flagCUP'), cup: r.cupLotto() },
      call,
    );
    return done(codec, result.message, codec.cupLottoXml(result.cup ?? undefined));
  },
};
