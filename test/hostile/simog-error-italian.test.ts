/**
 * Hostile: SIMOG's `error` element (read by Italian platforms) mixed languages: "Non trovato: lot with
 * CIG A000000000 non trovato/a". The text is built from the DomainError (src/http/routes/simog/
 * simog.presenters.ts); a not_found names the missing thing in Italian.
 */
import { describe, expect, it } from 'vitest';
import { DomainError, notFound } from '../../src/domain/shared/errors.js';
import { failure } from '../../src/http/routes/simog/simog.presenters.js';

const text = (error: DomainError) => failure(error).error ?? '';

describe('SIMOG error texts are Italian', () => {
  it.each([
    ['lot with CIG A000000000', 'Non trovato: lotto con CIG A000000000'],
    ['tender 42', 'Non trovato: gara 42'],
    ['gara 42', 'Non trovato: gara 42'],
    ['contracting authority', 'Non trovato: stazione appaltante'],
    ['economic operator', 'Non trovato: operatore economico'],
    ['regional section 3', 'Non trovato: sezione regionale 3'],
    ['user', 'Non trovato: utente'],
  ])('not found %s', (what, expected) => {
    const answer = text(notFound(what));
    expect(answer).toBe(expected);
    expect(answer).not.toMatch(/not found|non trovato\/a|\blot with\b|\btender\b/);
  });

  it('other codes keep the Italian opening and the field', () => {
    const answer = text(new DomainError('conflict', 'gara già cancellata'));
    expect(answer).toBe('Conflitto: gara già cancellata');
  });
});
