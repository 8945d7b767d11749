/**
 * The documents of a relay as data: the transmission letter (structure of the May 2021 seed letter) and
 * one day of an AOO's protocol register. Services fill them in; adapters/pdf prints them.
 */

/** The contents of a transmission letter. */
export interface TransmissionLetter {
  /** First line in bold and larger (the region), then the offices (bold), the last of 3+ in regular. */
  letterhead: string[];
  city: string;
  /** YYYY-MM-DD, printed as "07 maggio 2021". */
  date: string;
  protocol: { label: string /* AOO_092/0001228 */; direction: 'Protocollo Uscita' | 'Protocollo Entrata' };
  transmissionClause: string;
  salutation: string;
  /** Printed after "Oggetto: " (a leading "Oggetto:" in the text is not repeated). */
  subject: string;
  introduction: string;
  /** body: plain text, paragraphs separated by blank lines, bullet items on lines starting with "- ". */
  notice: { title: string; body: string; sourceUrl: string | null };
  signature: { office: string; role: string; name?: string | null };
  website: string | null;
  /** Creation instant, for a deterministic file */
  issuedAt: Date;
}

/** One day of an AOO's protocol register. */
export interface DailyRegister {
  aoo: { code: string; name: string };
  register: string;
  /** YYYY-MM-DD */
  date: string;
  registrations: {
    number: number;
    at: Date;
    direction: 'U' | 'E';
    subject: string;
    correspondents: string;
    sha256: string;
    annulled: boolean;
  }[];
  annulments: { number: number; at: Date; operator: string; measure: string; reason: string }[];
  /** SHA-256 (hex) of the register's JSON export, printed in full. */
  jsonSha256: string;
  generatedAt: Date;
}
