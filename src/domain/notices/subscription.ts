export interface Subscription {
  id: string;
  channel: 'email' | 'webhook';
  address: string;
  secret: string | null;
  state: 'pending' | 'active' | 'unsubscribed';
  services: string[];
  createdAt: Date;
}

export interface NotificationEvent {
  id: string;
  eventKey: string;
  kind: string;
  services: string[];
  payload: Record<string, unknown>;
  createdAt: Date;
}
