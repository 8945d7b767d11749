export interface ProtocolRegistration {
  id: string;
  aooCode: string;
  registerCode: string;
  year: number;
  number: number;
  direction: 'U' | 'E';
  registeredAt: Date;
  subject: string;
  correspondents: { name: string; address: string }[];
  documentName: string;
  documentSha256: string;
  segnaturaXml: string;
  annulment: { annulledAt: Date; operatorName: string; measure: string; reason: string } | null;
}
