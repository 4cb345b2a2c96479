import { translator, type Language } from '../i18n/index.js';
import { formatters } from '../i18n/format.js';
import { PdfWriter, type FontFiles } from './pdf.js';
import type { RenderJob } from './model.js';
import type { Ctx } from './layout.js';
import { batchPickList } from './kinds/batch-pick-list.js';
import { invoice } from './kinds/invoice.js';
import { creditNote } from './kinds/credit-note.js';
import { label } from './kinds/label.js';
import { packingSlip } from './kinds/packing-slip.js';
import { pickSlip } from './kinds/pick-slip.js';
import { receipt } from './kinds/receipt.js';

const TITLES: Record<RenderJob['kind'], string> = {
  pick_slip: 'docs.pickSlip.title',
  receipt: 'docs.receipt.title',
  pick_slip_receipt: 'docs.pickSlip.title',
  invoice: 'docs.invoice.title',
  packing_slip: 'docs.packingSlip.title',
  batch_pick_list: 'docs.batch.title',
  label: 'docs.label.title',
  credit_note: 'docs.creditNote.title',
};

/**
 * Renders a job to PDF bytes. `giveWay` is awaited after each order (and each batch list row), so
 * a caller can let other work run during a large job.
 */
export async function renderDocument(job: RenderJob, fonts: FontFiles, giveWay: () => Promise<void> = async () => {}): Promise<Uint8Array> {
  const t = translator(job.lang);
  const title = job.orders.length === 1 ? `${t(TITLES[job.kind])} ${job.orders[0]!.code}` : t(TITLES[job.kind]);
  const pdf = await PdfWriter.create(fonts, title);
  const ctx: Ctx = {
    job,
    t,
    fmt: formatters(job.lang, job.timeZone),
    customer: { t: translator(job.customerLang), fmt: formatters(job.customerLang, job.timeZone) },
    pdf,
    bars: new Map(),
  };
  // The customer's documents speak the customer's language: the order's own, else the job's.
  const customerCtx = new Map<Language, Ctx>();
  const forCustomerIn = (lang: Language): Ctx => {
    let c = customerCtx.get(lang);
    if (!c)
      customerCtx.set(
        lang,
        (c = { ...ctx, customer: { t: translator(lang), fmt: formatters(lang, job.timeZone) }, t: translator(lang), fmt: formatters(lang, job.timeZone) }),
      );
    return c;
  };
  if (job.kind === 'batch_pick_list') batchPickList(ctx);
  for (const order of job.kind === 'batch_pick_list' ? [] : job.orders) {
    const forCustomer = forCustomerIn(order.customerLang ?? job.customerLang);
    if (job.kind === 'pick_slip' || job.kind === 'pick_slip_receipt') pickSlip(ctx, order);
    if (job.kind === 'receipt' || job.kind === 'pick_slip_receipt') receipt(forCustomer, order);
    if (job.kind === 'packing_slip') packingSlip(forCustomer, order);
    if (job.kind === 'invoice') invoice(forCustomer, order);
    if (job.kind === 'label') label(forCustomer, order);
    if (job.kind === 'credit_note') creditNote(forCustomer, order);
    await giveWay();
  }
  return ctx.pdf.save();
}
