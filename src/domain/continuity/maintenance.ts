export interface MaintenanceRecord {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  cancelledAt: Date | null;
  services: string[];
}
