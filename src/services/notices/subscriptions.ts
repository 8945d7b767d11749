// Re-exported for services/continuity/incidents.ts (edited elsewhere), which imports them from here.
export { emitEvent } from './emit-event.js';
export { incidentEvent } from './notification-events.js';
