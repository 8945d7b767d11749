import type { OutboxMessage } from './ports.js';

/**
 * A subscription confirmation carries the token that confirms or cancels the subscription: whoever
 * reads it can act for the subscriber. Its body is never served through the API, to anyone.
 */
export const bodyIsServed = (m: Pick<OutboxMessage, 'kind'>) => m.kind !== 'confirmation';
