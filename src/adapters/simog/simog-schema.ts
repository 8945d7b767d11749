/**
 * Transcription of the attribute lists of the WSDL's inline schema (SimogWSPDD.wsdl 3.04.x), in the
 * schema's order: name, XSD base type, required, enumeration. Generated from the WSDL by reading
 * `<xs:complexType>` and the global `<xs:attribute>` declarations they reference; do not edit by hand.
 */
export interface SchemaAttribute {
  name: string;
  type: 'string' | 'decimal' | 'dateTime' | 'int' | 'long' | 'boolean';
  required: boolean;
  values?: readonly string[];
}

export const garaAttributes: readonly SchemaAttribute[] = [
  { name: 'OGGETTO', type: 'string', required: true },
  { name: 'ID_STAZIONE_APPALTANTE', type: 'string', required: true },
  { name: 'DENOM_STAZIONE_APPALTANTE', type: 'string', required: true },
  { name: 'CF_AMMINISTRAZIONE', type: 'string', required: true },
  { name: 'DENOM_AMMINISTRAZIONE', type: 'string', required: true },
  { name: 'CF_UTENTE', type: 'string', required: true },
  { name: 'ID_GARA', type: 'long', required: false },
  { name: 'IMPORTO_GARA', type: 'decimal', required: true },
  { name: 'IMPORTO_SA_GARA', type: 'decimal', required: false },
  { name: 'DATA_CANCELLAZIONE_GARA', type: 'dateTime', required: false },
  { name: 'DATA_TERMINE_PAGAMENTO', type: 'dateTime', required: false },
  { name: 'DATA_COMUN', type: 'dateTime', required: false },
  { name: 'DATA_INIB_PAGAM', type: 'dateTime', required: false },
  { name: 'DATA_CONFERMA_GARA', type: 'dateTime', required: false },
  { name: 'TIPO_SCHEDA', type: 'string', required: false, values: ['S', 'O'] },
  { name: 'MODO_INDIZIONE', type: 'string', required: false },
  { name: 'MODO_REALIZZAZIONE', type: 'string', required: false },
  { name: 'ID_MOTIVAZIONE', type: 'string', required: false },
  { name: 'NOTE_CANC', type: 'string', required: false },
  { name: 'CIG_ACC_QUADRO', type: 'string', required: false },
  { name: 'NUMERO_LOTTI', type: 'int', required: false },
  { name: 'DATA_CREAZIONE', type: 'dateTime', required: false },
  { name: 'ID_OSSERVATORIO', type: 'string', required: false },
  { name: 'ID_STATO_GARA', type: 'string', required: false },
  { name: 'DATA_PERFEZIONAMENTO_BANDO', type: 'dateTime', required: false },
  { name: 'PROVV_PRESA_CARICO', type: 'string', required: false },
  { name: 'ESCLUSO_AVCPASS', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'URGENZA_DL133', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'MOTIVO_RICH_CIG', type: 'string', required: false },
  { name: 'MOTIVO_RICH_CIG_COMUNI', type: 'string', required: false },
  { name: 'STRUMENTO_SVOLGIMENTO', type: 'string', required: false },
  { name: 'ESTREMA_URGENZA', type: 'string', required: false },
  { name: 'ALLEGATO_IX', type: 'string', required: false },
  { name: 'DURATA_ACCQUADRO_CONVENZIONE_GARA', type: 'int', required: false },
  { name: 'FLAG_SA_AGENTE_GARA', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'CF_AMM_AGENTE_GARA', type: 'string', required: false },
  { name: 'DEN_AMM_AGENTE_GARA', type: 'string', required: false },
  { name: 'ID_F_DELEGATE', type: 'string', required: false },
  { name: 'CODICE_AUSA', type: 'string', required: false },
];

export const lottoAttributes: readonly SchemaAttribute[] = [
  { name: 'CIG', type: 'string', required: false },
  { name: 'OGGETTO', type: 'string', required: true },
  { name: 'SOMMA_URGENZA', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'IMPORTO_LOTTO', type: 'decimal', required: true },
  { name: 'IMPORTO_SA', type: 'decimal', required: true },
  { name: 'IMPORTO_IMPRESA', type: 'decimal', required: true },
  { name: 'CPV', type: 'string', required: true },
  { name: 'ID_SCELTA_CONTRAENTE', type: 'string', required: true },
  { name: 'ID_CATEGORIA_PREVALENTE', type: 'string', required: true },
  { name: 'DATA_PUBBLICAZIONE', type: 'dateTime', required: false },
  { name: 'DATA_SCADENZA_PAGAMENTI', type: 'dateTime', required: false },
  { name: 'DATA_COMUNICAZIONE', type: 'dateTime', required: false },
  { name: 'DATA_INIB_PAGAMENTO', type: 'dateTime', required: false },
  { name: 'ID_MOTIVAZIONE', type: 'string', required: false },
  { name: 'NOTE_CANC', type: 'string', required: false },
  { name: 'TIPO_CONTRATTO', type: 'string', required: false },
  { name: 'FLAG_ESCLUSO', type: 'string', required: false },
  { name: 'ID_ESCLUSIONE', type: 'string', required: false },
  { name: 'LUOGO_ISTAT', type: 'string', required: false },
  { name: 'LUOGO_NUTS', type: 'string', required: false },
  { name: 'IMPORTO_ATTUAZIONE_SICUREZZA', type: 'string', required: false },
  { name: 'TRIENNIO_ANNO_INIZIO', type: 'int', required: false },
  { name: 'TRIENNIO_ANNO_FINE', type: 'int', required: false },
  { name: 'TRIENNIO_PROGRESSIVO', type: 'int', required: false },
  { name: 'ANNUALE_CUI_MININF', type: 'string', required: false },
  { name: 'DATA_CREAZIONE_LOTTO', type: 'dateTime', required: false },
  { name: 'DATA_CANCELLAZIONE_LOTTO', type: 'dateTime', required: false },
  { name: 'FLAG_PREVEDE_RIP', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'FLAG_RIPETIZIONE', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'CIG_ORIGINE_RIP', type: 'string', required: false },
  { name: 'ORA_SCADENZA', type: 'string', required: false },
  { name: 'STATO_AVCPASS', type: 'string', required: false },
  { name: 'DATA_SCADENZA_RICHIESTA_INVITO', type: 'string', required: false },
  { name: 'DATA_LETTERA_INVITO', type: 'dateTime', required: false },
  { name: 'FLAG_CUP', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'FLAG_DL50', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'PRIMA_ANNUALITA', type: 'string', required: false },
  { name: 'ID_AFF_RISERVATI', type: 'string', required: false },
  { name: 'FLAG_REGIME', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'ART_REGIME', type: 'string', required: false },
  { name: 'ID_MOTIVO_COLL_CIG', type: 'string', required: false },
  { name: 'CATEGORIA_MERC', type: 'string', required: false },
  { name: 'FLAG_NO_ADESIONE_INIZIATIVA', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'FLAG_SA_NON_CLASSIFICATA', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'IMPORTO_OPZIONI', type: 'decimal', required: false },
  { name: 'DURATA_RINNOVI', type: 'int', required: false },
  { name: 'DURATA_AFFIDAMENTO', type: 'int', required: false },
  { name: 'FLAG_PNRR_PNC', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'FLAG_PREVISIONE_QUOTA', type: 'string', required: false, values: ['S', 'N', 'Q'] },
  { name: 'QUOTA_FEMMINILE', type: 'decimal', required: false },
  { name: 'QUOTA_GIOVANILE', type: 'decimal', required: false },
  { name: 'ID_MOTIVO_DEROGA', type: 'string', required: false },
  { name: 'FLAG_MISURA_PREMIALE', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'ID_MISURA_PREMIALE', type: 'string', required: false },
];

export const pubblicazioneAttributes: readonly SchemaAttribute[] = [
  { name: 'DATA_GUCE', type: 'dateTime', required: false },
  { name: 'DATA_GURI', type: 'dateTime', required: false },
  { name: 'DATA_ALBO', type: 'dateTime', required: false },
  { name: 'DATA_BORE', type: 'dateTime', required: false },
  { name: 'QUOTIDIANI_NAZ', type: 'int', required: false },
  { name: 'QUOTIDIANI_REG', type: 'int', required: false },
  { name: 'PERIODICI', type: 'int', required: false },
  { name: 'PROFILO_COMMITTENTE', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'SITO_MINISTERO_INF_TRASP', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'SITO_OSSERVATORIO_CP', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'ID_SCHEDA_LOCALE', type: 'string', required: false },
  { name: 'ID_SCHEDA_SIMOG', type: 'string', required: false },
  { name: 'NUMERO_GUCE', type: 'string', required: false },
  { name: 'NUMERO_GURI', type: 'string', required: false },
  { name: 'NUMERO_BORE', type: 'string', required: false },
  { name: 'LINK_SITO', type: 'string', required: false },
  { name: 'FLAG_BENICULT', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'FLAG_SOSPESO', type: 'string', required: false, values: ['S', 'N'] },
];

export const datiCUPAttributes: readonly SchemaAttribute[] = [
  { name: 'CUP', type: 'string', required: true },
  { name: 'ID_RICHIESTA', type: 'long', required: false },
  { name: 'DATI_DIPE', type: 'string', required: false },
  { name: 'VALIDO', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'OK_UTENTE', type: 'string', required: false, values: ['S', 'N'] },
  { name: 'TEMATICA_PNRR', type: 'string', required: false },
];

export const cupLottoAttributes: readonly SchemaAttribute[] = [
  { name: 'CIG', type: 'string', required: false },
];

export const tipiAppaltoAttributes: readonly SchemaAttribute[] = [
  { name: 'ID_APPALTO', type: 'string', required: true },
];
