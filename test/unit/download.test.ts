import contentDisposition from 'content-disposition';
import { describe, expect, it } from 'vitest';
import { contentDispositionOf } from '../../src/web/download.js';

describe('Content-Disposition of a file name made from data', () => {
  it.each([
    // file name, what a browser reads back
    ['pick-slip-1234567897.pdf', 'pick-slip-1234567897.pdf'],
    ['label-"><svg/onload=alert(1)>.pdf', 'label-"><svg_onload=alert(1)>.pdf'],
    ['label-x";filename=evil.html.pdf', 'label-x";filename=evil.html.pdf'],
    ['label-a\\"; b.pdf', 'label-a_"; b.pdf'],
    ['label-100%25.pdf', 'label-100%25.pdf'],
    ['label-Zoë Lefèvre.pdf', 'label-Zoë Lefèvre.pdf'],
    ['label-Łukasz Żółć 日本.pdf', 'label-Łukasz Żółć 日本.pdf'],
    ['label-A\r\nSet-Cookie: x=1.pdf', 'label-A__Set-Cookie: x=1.pdf'],
    ['label-\u0000\t\u007f.pdf', 'label-___.pdf'],
  ])('%j is sent as one well-formed ASCII header that reads back as %j', (name, readBack) => {
    for (const type of ['inline', 'attachment'] as const) {
      const header = contentDispositionOf(name, type);
      // Nothing a header cannot carry: printable ASCII only, so no line break ends it early.
      expect(header).toMatch(/^[\x20-\x7E]+$/);
      const parsed = contentDisposition.parse(header);
      expect(parsed.type).toBe(type);
      expect(parsed.parameters).toEqual({ filename: readBack });
    }
  });

  it('quotes the name and escapes its quotes, so it cannot end the parameter early', () => {
    expect(contentDispositionOf('label-x";filename=evil.html.pdf', 'inline')).toBe('inline; filename="label-x\\";filename=evil.html.pdf"');
  });
});
