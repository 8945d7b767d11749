import { validateCig, type CigValidation } from '../../domain/cig/cig.js';

/** Anyone may validate CIG strings (creates nothing, reads nothing): each one's family, or why it is invalid. */
export function validateCigs(input: { codes: string[] }): CigValidation[] {
  return input.codes.map((code) => validateCig(code));
}
