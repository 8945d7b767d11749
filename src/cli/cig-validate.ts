import { cigFamilyLabels, validateCig } from '../domain/cig/cig.js';

export interface ValidateOutput {
  lines: string[];
  invalid: number;
}

/** One line per code: `CODE valid pcp (SIMOG v2 / PCP)` or `CODE invalid check_mismatch: ...`; or JSON lines. */
export function formatValidations(codes: string[], json: boolean): ValidateOutput {
  let invalid = 0;
  const lines = codes.map((input) => {
    const v = validateCig(input);
    if (!v.valid) invalid += 1;
    if (json) {
      return JSON.stringify(
        v.valid
          ? { code: v.code, valid: true, family: v.family }
          : { code: v.code, valid: false, reason: v.reason, message: v.message },
      );
    }
    return v.valid
      ? `${v.code} valid ${v.family} (${cigFamilyLabels[v.family]})`
      : `${v.code || '(empty)'} invalid ${v.reason}: ${v.message}`;
  });
  return { lines, invalid };
}

export async function readCodesFromStdin(stream: NodeJS.ReadableStream): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
