export interface Reminder {
  id: string;
  subjectType: string;
  subjectId: string;
  day: string;
  message: string;
  createdAt: Date;
}
