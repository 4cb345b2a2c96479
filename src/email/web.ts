import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { splitAddresses } from '../domain/email-addresses.js';
import { isLanguage, LANGUAGES, translator, type Language } from '../i18n/index.js';
import { loadOrder } from '../orders/service.js';
import { requireCapability } from '../web/auth.js';
import { AppError, type FieldError } from '../errors.js';
import { translateFields } from '../i18n/refusal.js';
import { formatters } from '../i18n/format.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { fieldText, formFields } from '../web/form.js';
import { parse } from '../validate.js';
import { findEmail, listUndelivered, outboxCounts, retryEmail } from './store.js';
import { describeSmtp } from './sender.js';
import {
  emailSettingsSchema,
  getEmailSettings,
  defaultShopRecipients,
  putEmailSettings,
  resetTemplateText,
  saveTemplateText,
  templateText,
} from './settings.js';
import {
  MODES,
  placeholdersOf,
  renderMail,
  spacedCode,
  TEMPLATE_INFO,
  TEMPLATES,
  templateProblems,
  type MailView,
  type RenderedMail,
  type TemplateKey,
} from './templates.js';

const idParam = z.coerce.number().int().positive();

/** The order page's e-mails: read one, send a failed or unsent one again. */
export function orderEmailsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('orders'));
  const load = (req: Request) => {
    const order = loadOrder(db, String(req.params.code));
    const mail = findEmail(db, parse(idParam, req.params.id));
    if (mail.orderId !== order.id) throw new AppError('not_found', 'errors.emailNotFound', { id: mail.id });
    return { order, mail };
  };
  router.get('/:code/emails/:id', (req, res) => {
    const { order, mail } = load(req);
    res.render('orders/email', {
      title: mail.subject,
      mail,
      retryUrl: `/orders/${order.code}/emails/${mail.id}/retry`,
      backUrl: `/orders/${order.code}#emails`,
    });
  });
  router.post('/:code/emails/:id/retry', (req, res) => {
    const { order, mail } = load(req);
    retryEmail(db, mail.id, clock());
    setFlash(req, 'success', 'emails.retried', { to: mail.toAddress });
    res.redirect(`/orders/${order.code}#emails`);
  });
  return router;
}

/** Placeholder values for the preview in Settings → E-mails: a made-up order. */
function sampleView(template: TemplateKey, language: Language, timezone: string): MailView {
  const t = translator(language);
  const fmt = formatters(language, timezone);
  const line = (quantity: number, name: string, sku: string, price: number) => ({ quantity, name, sku, amount: fmt.money(price * quantity, 'SEK') });
  const lines = [line(2, 'Ullsockor grå', 'SOCK-GR-42', 14900), line(1, 'Termos 0,5 l', 'THERMO-05', 29900)];
  const view: MailView = {
    shop_name: t('app.name'),
    order_code: '1234-5678-9',
    customer_name: 'Åsa Øvergård',
    customer_email: 'asa@example.com',
    status: t(`status.${TEMPLATE_INFO[template].status ?? 'order'}`),
    total: fmt.money(59700, 'SEK'),
    payment_method: t('payment.card'),
    lines,
    ship_to: 'Åsa Øvergård\nStorgatan 1\n111 22 Stockholm\nSE',
  };
  if (template === 'shipped') {
    view.partial = true;
    view.parcels = [{ parcel_id: '00373500001234567895', tracking_url: 'https://tracking.example/?id=00373500001234567895' }];
    view.shipped_lines = [lines[0]!];
    view.pending_lines = [lines[1]!];
  }
  if (TEMPLATE_INFO[template].pickup || template === 'pickup_reminder') view.code_spaced = spacedCode(view.order_code);
  if (template === 'pickup_reminder') view.days_waiting = 8;
  if (template === 'return_received') {
    view.return_number = '42';
    view.returned_lines = [line(1, 'Ullsockor grå', 'SOCK-GR-42', 14900)];
    view.refund_amount = fmt.money(14900, 'SEK');
    view.credit_note_number = '7';
  }
  return view;
}

const templateForm = z.object({
  subject: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  action: z.enum(['save', 'preview', 'reset']).default('save'),
});

/** Settings → E-mails (admin): when each e-mail is sent, the shop's recipients, the texts, and what did not go out. */
export function emailSettingsWeb({ db, clock, config }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));

  const overview = (req: Request, res: Response, problem?: { errors: Record<string, string>; values: Record<string, unknown> }) => {
    const settings = getEmailSettings(db);
    res.status(problem ? 422 : 200).render('settings/emails', {
      title: req.t('emails.settings.title'),
      smtp: config.smtpUrl ? describeSmtp(config.smtpUrl) : null,
      from: config.mailFrom,
      counts: outboxCounts(db),
      templates: TEMPLATES.map((key) => ({
        key,
        info: TEMPLATE_INFO[key],
        languages: LANGUAGES.map((lang) => ({ lang, custom: templateText(db, key, lang).custom })),
      })),
      modes: MODES,
      defaultRecipients: defaultShopRecipients(db),
      undelivered: listUndelivered(db),
      errors: problem?.errors ?? {},
      values: problem?.values ?? { ...settings.modes, shopRecipients: settings.shopRecipients?.join('\n') ?? '', trackingUrl: settings.trackingUrl },
    });
  };

  router.get('/', (req, res) => overview(req, res));

  router.post('/', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const modes: Record<string, unknown> = {};
    const fields: FieldError[] = [];
    for (const key of TEMPLATES) {
      const mode = body[key];
      if (typeof mode === 'string' && (TEMPLATE_INFO[key].modes as readonly string[]).includes(mode)) modes[key] = mode;
      else fields.push({ path: key, key: 'validation.invalid' });
    }
    const recipientsText = typeof body.shopRecipients === 'string' ? body.shopRecipients : '';
    const parsed = emailSettingsSchema.safeParse({
      modes,
      // An empty list falls back to SHOP_ADMIN_EMAILS again.
      shopRecipients: recipientsText.trim() ? splitAddresses(recipientsText) : null,
      trackingUrl: typeof body.trackingUrl === 'string' ? body.trackingUrl.trim() : '',
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = issue.message.startsWith('validation.') ? issue.message : 'validation.invalid';
        const address = issue.path[0] === 'shopRecipients' && typeof issue.path[1] === 'number' ? splitAddresses(recipientsText)[issue.path[1]] : undefined;
        fields.push(address ? { path: 'shopRecipients', key: 'validation.emailAddress', params: { value: address } } : { path: String(issue.path[0]), key });
      }
    }
    if (fields.length || !parsed.success) {
      const errors: Record<string, string> = {};
      for (const f of translateFields(fields, req.t)) errors[f.path] ??= f.message;
      return overview(req, res, { errors, values: body });
    }
    putEmailSettings(db, parsed.data, clock(), req.user!.name);
    setFlash(req, 'success', 'emails.settings.saved');
    res.redirect('/settings/emails');
  });

  const templateParams = (req: Request): { template: TemplateKey; language: Language } => {
    const template = String(req.params.template);
    const language = String(req.params.lang);
    if (!(TEMPLATES as readonly string[]).includes(template) || !isLanguage(language)) throw new AppError('not_found', 'errors.pageNotFound');
    return { template: template as TemplateKey, language };
  };

  const editor = (
    req: Request,
    res: Response,
    template: TemplateKey,
    language: Language,
    state: { subject: string; body: string; custom: boolean; errors?: Record<string, string>; preview?: RenderedMail | null },
  ) => {
    let preview = state.preview;
    if (preview === undefined) preview = renderMail(state.subject, state.body, sampleView(template, language, config.timezone), { language });
    res.status(state.errors && Object.keys(state.errors).length ? 422 : 200).render('settings/email-template', {
      title: req.t('emails.settings.editTitle', { name: req.t(`emails.template.${template}`), language: res.locals.languageNames[language] }),
      template,
      language,
      info: TEMPLATE_INFO[template],
      placeholders: placeholdersOf(template),
      subject: state.subject,
      body: state.body,
      custom: state.custom,
      errors: state.errors ?? {},
      preview,
    });
  };

  router.get('/templates/:template/:lang', (req, res) => {
    const { template, language } = templateParams(req);
    editor(req, res, template, language, templateText(db, template, language));
  });

  router.post('/templates/:template/:lang', (req, res) => {
    const { template, language } = templateParams(req);
    const custom = templateText(db, template, language).custom;
    const fields = formFields(req);
    if (fields.action === 'reset') {
      resetTemplateText(db, template, language);
      setFlash(req, 'success', 'emails.settings.reset');
      return res.redirect(`/settings/emails/templates/${template}/${language}`);
    }
    const typed = { subject: fieldText(fields.subject), body: fieldText(fields.body) };
    try {
      const form = parse(templateForm, req.body ?? {});
      // Template errors are found here, when saving, never when a customer's e-mail is written.
      const problems = templateProblems(template, form.subject, form.body);
      if (problems.length) throw new AppError('validation_failed', 'errors.validationFailed', { count: problems.length }, { fields: problems });
      if (form.action === 'preview') return editor(req, res, template, language, { ...form, custom });
      saveTemplateText(db, template, language, form, clock());
      setFlash(req, 'success', 'emails.settings.templateSaved');
      res.redirect(`/settings/emails/templates/${template}/${language}`);
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields.length) throw err;
      const errors: Record<string, string> = {};
      for (const f of translateFields(err.fields, req.t)) errors[f.path] ??= f.message;
      editor(req, res, template, language, { ...typed, custom, errors, preview: null });
    }
  });

  router.post('/outbox/:id/retry', (req, res) => {
    const mail = retryEmail(db, parse(idParam, req.params.id), clock());
    setFlash(req, 'success', 'emails.retried', { to: mail.toAddress });
    res.redirect('/settings/emails#undelivered');
  });

  return router;
}
