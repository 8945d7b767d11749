export interface Relay {
  id: string;
  noticeId: string;
  regionalSectionCode: string;
  registrationId: string;
  restorationOf: string | null;
  letterSha256: string;
  recipientCount: number;
  createdAt: Date;
}
