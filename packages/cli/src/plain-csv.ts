/**
 * The fast path for plain CSV: a file without quote characters, whose every line ends the
 * same way (`\n` or `\r\n`), with no skippable line inside and one field count throughout, is
 * a split on the line ending and the delimiter; csv-parse's records for such a file are exactly
 * that split (test/plain-csv.test.ts proves it on the shared data and generated edge cases).
 * Anything else returns `undefined` and goes to csv-parse, which also words every error: the
 * fast path never reports one itself.
 */

/** Records of `text` split on `delimiter`, or `undefined` when csv-parse must read it. */
export function splitPlainCsv(text: string, delimiter: string): string[][] | undefined {
  if (text.includes('"')) return undefined;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // csv-parse's `bom: true`
  // csv-parse takes the first line ending it meets as the record delimiter; a file mixing
  // endings (or with a lone `\r`) is not plain.
  const crlf = body.includes('\r');
  const lines = body.split(crlf ? '\r\n' : '\n');
  if (crlf && lines.some((line) => line.includes('\r') || line.includes('\n'))) return undefined;
  if (lines.at(-1) === '') lines.pop(); // the final line ending ends the last record
  if (lines.length === 0) return undefined;
  const records: string[][] = new Array(lines.length);
  let width = -1;
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!.split(delimiter);
    // A short or long record is csv-parse's error, an empty one its skip: both its business.
    if (width === -1) width = fields.length;
    else if (fields.length !== width) return undefined;
    if (fields.every((field) => field.trim() === '')) return undefined;
    records[i] = fields;
  }
  return records;
}
