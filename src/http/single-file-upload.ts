/**
 * The one file of a `multipart/form-data` upload (a browser's file form), or the raw body of any other
 * content type; `'several'` when the form carries more than one file (which one would be meant?).
 * Bounded by the route's body limit; no temporary files.
 */
export function uploadedFile(body: Buffer, contentType: string | undefined): Buffer | 'several' | null {
  const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!boundary) return body.length > 0 ? body : null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(delimiter);
  let found: Buffer | null = null;
  while (at >= 0) {
    const closing = body.subarray(at + delimiter.length, at + delimiter.length + 2).toString('latin1');
    if (closing === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) return found;
    const headers = body.subarray(at + delimiter.length, headersEnd).toString('latin1');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) return found;
    if (/content-disposition:[^\r\n]*\bfilename=/i.test(headers)) {
      if (found) return 'several';
      const content = body.subarray(headersEnd + 4, next);
      if (content.length === 0) return null;
      found = content;
    }
    at = next + 2;
  }
  return found;
}
