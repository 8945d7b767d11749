export interface PecReceiptRecord {
  id: string;
  kind: string;
  referenceMessageId: string | null;
  recipient: string | null;
  conformant: boolean;
  problems: string[];
  receivedAt: Date;
  outboxId: string | null;
  relayId: string | null;
  address: string | null;
  /** applied: it changed the message's delivery state; review: kept, changing nothing */
  status: 'applied' | 'review';
  /** the verified signer (the PEC provider), null when the signature did not verify */
  signer: string | null;
}
