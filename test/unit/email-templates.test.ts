import { describe, expect, it } from 'vitest';
import { builtInText } from '../../src/email/settings.js';
import { renderMail, TEMPLATES, templateProblems, textToHtml, type MailView } from '../../src/email/templates.js';
import { LANGUAGES } from '../../src/i18n/index.js';

const view = (over: Partial<MailView> = {}): MailView => ({
  shop_name: 'Nordic Socks',
  order_code: '1234567897',
  customer_name: 'Zoë <b>Lefèvre</b> & Co',
  customer_email: 'zoe@example.com',
  status: 'Shipped',
  total: '298,00 kr',
  payment_method: 'Card',
  lines: [{ quantity: 2, name: 'Ullsockor', sku: 'SOCK-1', amount: '298,00 kr' }],
  ship_to: 'Zoë Lefèvre\nRue 5\n69002 Lyon\nFR',
  partial: false,
  parcels: [{ parcel_id: 'JJD0001', tracking_url: 'https://track.example/?id=JJD0001' }],
  shipped_lines: [{ quantity: 2, name: 'Ullsockor', sku: 'SOCK-1', amount: '298,00 kr' }],
  pending_lines: [],
  ...over,
});

describe('e-mail templates', () => {
  it('every built-in text, in every language, passes the check made when a shop saves one, and leaves no placeholder behind', () => {
    for (const template of TEMPLATES) {
      for (const lang of LANGUAGES) {
        const text = builtInText(template, lang);
        expect(templateProblems(template, text.subject, text.body), `${template} ${lang}`).toEqual([]);
        const mail = renderMail(text.subject, text.body, view());
        expect(mail.subject, `${template} ${lang}`).not.toMatch(/\{\{|\}\}/);
        expect(mail.text, `${template} ${lang}`).not.toMatch(/\{\{|\}\}|undefined|\[object/);
        expect(mail.text).toContain('1234567897');
      }
    }
  });

  it('keeps names as typed in the text and escapes them in the HTML, with links for web addresses', () => {
    const mail = renderMail('{{customer_name}}', 'Hello {{customer_name}}\n\n{{#parcels}}{{tracking_url}}{{/parcels}}', view());
    expect(mail.subject).toBe('Zoë <b>Lefèvre</b> & Co');
    expect(mail.text).toBe('Hello Zoë <b>Lefèvre</b> & Co\n\nhttps://track.example/?id=JJD0001');
    expect(mail.html).toContain('<p>Hello Zoë &#60;b&#62;Lefèvre&#60;/b&#62; &#38; Co</p>');
    expect(mail.html).toContain('<a href="https://track.example/?id=JJD0001">https://track.example/?id=JJD0001</a>');
    expect(textToHtml('<script>alert(1)</script>')).not.toContain('<script>');
  });

  it('shows the partial or the whole wording', () => {
    const subject = '{{#partial}}Part of {{order_code}}{{/partial}}{{^partial}}All of {{order_code}}{{/partial}}';
    expect(renderMail(subject, '-', view({ partial: true })).subject).toBe('Part of 1234567897');
    expect(renderMail(subject, '-', view({ partial: false })).subject).toBe('All of 1234567897');
  });

  it('names syntax errors, unsupported tags and unknown placeholders', () => {
    expect(templateProblems('packing', 'Hi {{#lines}}', 'x')).toEqual([expect.objectContaining({ path: 'subject', key: 'validation.template.syntax' })]);
    expect(templateProblems('packing', 'x', '{{=<% %>=}}')).toEqual([expect.objectContaining({ key: 'validation.template.unsupported' })]);
    expect(templateProblems('packing', 'x', '{{tracking_url}}')[0]).toMatchObject({ key: 'validation.template.unknownPlaceholder', params: { names: '{{tracking_url}}' } });
  });
});
