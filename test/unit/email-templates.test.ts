import { describe, expect, it } from 'vitest';
import { builtInText } from '../../src/email/settings.js';
import { linksOf, renderMail, TEMPLATES, templateProblems, textToHtml, type MailView } from '../../src/email/templates.js';
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
        const mail = renderMail(text.subject, text.body, view(), { language: lang });
        expect(mail.subject, `${template} ${lang}`).not.toMatch(/\{\{|\}\}/);
        expect(mail.text, `${template} ${lang}`).not.toMatch(/\{\{|\}\}|undefined|\[object/);
        expect(mail.text).toContain('1234567897');
      }
    }
  });

  it('keeps names as typed in the text and escapes them in the HTML, with links for web addresses', () => {
    const mail = renderMail('{{customer_name}}', 'Hello {{customer_name}}\n\n{{#parcels}}{{tracking_url}}{{/parcels}}', view(), { language: 'en' });
    expect(mail.subject).toBe('Zoë <b>Lefèvre</b> & Co');
    expect(mail.text).toBe('Hello Zoë <b>Lefèvre</b> & Co\n\nhttps://track.example/?id=JJD0001');
    expect(mail.html).toContain('<p>Hello Zoë &#60;b&#62;Lefèvre&#60;/b&#62; &#38; Co</p>');
    expect(mail.html).toContain('<a href="https://track.example/?id=JJD0001">https://track.example/?id=JJD0001</a>');
    expect(textToHtml('<script>alert(1)</script>', { language: 'en', title: 'x' })).not.toContain('<script>');
  });

  it('shows the partial or the whole wording', () => {
    const subject = '{{#partial}}Part of {{order_code}}{{/partial}}{{^partial}}All of {{order_code}}{{/partial}}';
    expect(renderMail(subject, '-', view({ partial: true }), { language: 'en' }).subject).toBe('Part of 1234567897');
    expect(renderMail(subject, '-', view({ partial: false }), { language: 'en' }).subject).toBe('All of 1234567897');
  });

  it('names syntax errors, unsupported tags and unknown placeholders', () => {
    expect(templateProblems('packing', 'Hi {{#lines}}', 'x')).toEqual([expect.objectContaining({ path: 'subject', key: 'validation.template.syntax' })]);
    expect(templateProblems('packing', 'x', '{{=<% %>=}}')).toEqual([expect.objectContaining({ key: 'validation.template.unsupported' })]);
    expect(templateProblems('packing', 'x', '{{tracking_url}}')[0]).toMatchObject({
      key: 'validation.template.unknownPlaceholder',
      params: { names: '{{tracking_url}}' },
    });
  });

  it('every built-in template, in every language, has <html lang> in its language and the subject as <title>', () => {
    for (const template of TEMPLATES) {
      for (const lang of LANGUAGES) {
        const text = builtInText(template, lang);
        const mail = renderMail(text.subject, text.body, view({ shop_name: 'Sock & <Co>' }), { language: lang });
        expect(mail.html, `${template} ${lang}`).toMatch(
          new RegExp(`^<!doctype html>\\n<html lang="${lang}">\\n<head>\\n<meta charset="utf-8">\\n<title>[^<]+</title>\\n</head>\\n<body`),
        );
        const title = /<title>([^<]*)<\/title>/.exec(mail.html)![1]!;
        expect(title.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))).toBe(mail.subject);
      }
    }
  });

  const EVIL = {
    customer_name: 'Eve https://evil.example/x',
    customer_email: 'evil@example.com',
    ship_to: 'Eve\nhttps://evil.example/x\nwww.evil.example\nevil@example.com\nevil.example/login',
    lines: [{ quantity: 1, name: 'Sock see evil.example', sku: 'S.KU', amount: '1,00 kr' }],
  };
  const EVIL_BODY =
    'Hi {{customer_name}} <{{customer_email}}>\n\n{{ship_to}}\n\n{{#lines}}{{name}} {{sku}}{{/lines}}\n\n{{#parcels}}Track: {{tracking_url}}{{/parcels}}\n\nWrite to us: https://shop.example/contact';

  it('never makes a link of customer text in the HTML part, nor leaves it as text a mail client would link; the shop’s own addresses stay links', () => {
    const mail = renderMail('Order', EVIL_BODY, view(EVIL), { language: 'sv' });
    expect(linksOf(mail.html)).toEqual(['https://track.example/?id=JJD0001', 'https://shop.example/contact']);
    expect(mail.html).not.toMatch(/<a [^>]*evil/);
    // No run of text (between tags) a linkifier would take for an address: no scheme, no www., no user@host, no host.tld.
    for (const run of mail.html.replace(/<a [^>]*>[^<]*<\/a>/g, '').split(/<[^>]*>/)) {
      expect(run, run).not.toMatch(/evil\.example|evil@|@example|example\.com|https?:\/\/evil|www\.evil/);
    }
    // It reads the same: the breaks are invisible (word joiners) and markup.
    const shown = mail.html.replace(/<[^>]*>/g, '').replace(/&#8288;/g, '');
    for (const text of ['https://evil.example/x', 'www.evil.example', 'evil@example.com', 'evil.example/login', 'Sock see evil.example S.KU'])
      expect(shown).toContain(text);
  });

  it('writes customer text in the plain-text part with an invisible word joiner inside each address, so it is no clickable address either; the shop’s addresses stay as they are', () => {
    const mail = renderMail('Order', EVIL_BODY, view(EVIL), { language: 'sv' });
    expect(mail.text).not.toMatch(/https?:\/\/evil|evil\.example|evil@example|example\.com/);
    expect(mail.text).toContain('Track: https://track.example/?id=JJD0001');
    expect(mail.text).toContain('Write to us: https://shop.example/contact');
    expect(mail.text.replace(/\u2060/g, '')).toContain('Eve\nhttps://evil.example/x\nwww.evil.example\nevil@example.com\nevil.example/login');
    // Names and addresses without anything address-like are untouched.
    expect(renderMail('x', '{{ship_to}}', view(), { language: 'en' }).text).toBe('Zoë Lefèvre\nRue 5\n69002 Lyon\nFR');
  });

  it('an edited e-mail links only the addresses the template links', () => {
    const html = textToHtml('Hi Eve https://evil.example/x\n\nTrack: https://track.example/?id=JJD0001', { language: 'nb', title: 'Ordre' }, [
      'https://track.example/?id=JJD0001',
    ]);
    expect(linksOf(html)).toEqual(['https://track.example/?id=JJD0001']);
    expect(html).not.toMatch(/evil\.example|https:\/\/evil/);
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain('<title>Ordre</title>');
  });
});
