import { romeDateOf, startOfRomeDay } from '../../domain/shared/dates.js';
import type { ProvisionalProcedure } from './ports.js';

/** Reminder data for RUPs: procedures still pending, with days left (negative when overdue). */
export function daysLeft(p: Pick<ProvisionalProcedure, 'regularisationDeadline'>, now: Date): number {
  return Math.round(
    (startOfRomeDay(p.regularisationDeadline).getTime() - startOfRomeDay(romeDateOf(now)).getTime()) /
      86_400_000,
  );
}
