import contentDisposition from 'content-disposition';

/**
 * The `Content-Disposition` value for a file sent to the browser. File names are built from data
 * (a parcel ID may hold `"`, `<`, `;` or `\`), so the value is made by the `content-disposition`
 * package, never by pasting the name between quotes: the quoted `filename` is ASCII with `"` and
 * `\` escaped, and a non-ASCII name goes exactly, percent-encoded, in `filename*` (RFC 6266 /
 * RFC 8187). Path separators and control characters (CR/LF among them) become `_`.
 */
export function contentDispositionOf(fileName: string, type: 'inline' | 'attachment'): string {
  // The package keeps only what follows the last / or \ (it expects a path), and a saved file
  // cannot hold a separator or a line break anyway: "label-A/1.pdf" stays whole as "label-A_1.pdf".
  const name = fileName.replace(/[\\/\x00-\x1F\x7F]/g, '_');
  // An ASCII fallback, so that Latin-1 letters go in filename* too instead of raw header bytes
  // that browsers read in different charsets.
  return contentDisposition(name, { type, fallback: name.replace(/[^\x20-\x7E]/g, '_') });
}
