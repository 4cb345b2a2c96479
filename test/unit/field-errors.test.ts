import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldAria } from '../../src/web/field-errors.js';

const VIEWS = join(import.meta.dirname, '../../views');

function viewFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? viewFiles(join(dir, e.name)) : e.name.endsWith('.ejs') ? [join(dir, e.name)] : [],
  );
}

describe('field errors tied to their inputs', () => {
  it('fieldAria names the message of each refused field, nothing when none is refused', () => {
    expect(fieldAria({ sku: 'Required.' }, 'sku')).toBe('aria-invalid="true" aria-describedby="sku-error"');
    expect(fieldAria({}, 'sku')).toBe('');
    expect(fieldAria(undefined, 'sku')).toBe('');
    expect(fieldAria({ 'lines.0.sku': 'No such SKU', 'lines.0.quantity': 'Too many' }, 'lines.0.quantity', 'lines.0.sku', 'lines.0.unitPrice')).toBe(
      'aria-invalid="true" aria-describedby="lines.0.quantity-error lines.0.sku-error"',
    );
    expect(fieldAria({ 'a"b': 'x' }, 'a"b')).toBe('aria-invalid="true" aria-describedby="a&#34;b-error"');
  });

  it("every view that shows a field error next to a field gives some input that field's fieldAria", () => {
    const untied: string[] = [];
    for (const file of viewFiles(VIEWS)) {
      const text = readFileSync(file, 'utf8');
      // What each fieldAria(...) or a view's own inv(...) call is given, up to the end of its tag.
      const calls = [...text.matchAll(/(?:fieldAria|\binv)\(([^%]*)%>/g)].map((m) => m[1]!);
      for (const m of text.matchAll(/include\('\.\.\/partials\/field-error', \{ name: ([^,}]+?)\s*[,}]/g)) {
        const name = m[1]!;
        if (!calls.some((c) => c.includes(name))) untied.push(`${file.slice(VIEWS.length + 1)}: ${name}`);
      }
    }
    expect(untied).toEqual([]);
  });
});
