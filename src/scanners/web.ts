import { Router, type Request } from 'express';
import { z } from 'zod';
import { sendPdf } from '../documents/api.js';
import { requireCapability } from '../web/auth.js';
import { renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { getScannerSettings, putScannerSettings, scannerSettingsSchema } from './settings.js';
import { scannerSheetPdf } from './sheet.js';
import { layoutNames } from './read.js';
import { analyzeCheckScan, SCANNER_MS_PER_KEY, type CheckFinding } from '../domain/scanner-check.js';
import { GS } from '../domain/scan-input.js';
import { AppError } from '../errors.js';
import type { Translate } from '../i18n/index.js';
import { fieldText, formFields } from '../web/form.js';

/** The form as typed: nothing trimmed, since a space in a GS substitute is refused, not dropped. */
const form = z.object({ gsSubstitute: scannerSettingsSchema.shape.gsSubstitute });

/** Settings → Scanners (admin): the GS substitute, the check sheet and the way to the scanner check. */
export function scannerSettingsWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const title = (req: Request) => req.t('scannerSettings.title');
  router.get('/', (req, res) => res.render('settings/scanners', { title: title(req), values: getScannerSettings(db) }));
  router.post('/', (req, res) => {
    try {
      const settings = parse(form, req.body ?? {});
      putScannerSettings(db, settings, clock(), req.user!.name);
      setFlash(req, 'success', 'scannerSettings.saved');
      res.redirect('/settings/scanners');
    } catch (err) {
      renderForm(req, res, err, 'settings/scanners', { title: title(req) });
    }
  });
  return router;
}

/** One scan of the check sheet, as the check page captured it: its keys and the text the field got. */
const checkScan = z.object({
  keys: z.array(z.object({ key: z.string().max(40), code: z.string().max(40), ctrl: z.boolean(), t: z.number().finite() })).max(400),
  text: z.string().max(400),
});

/**
 * The scanner check, for anyone signed in (a packer opens it from the station): the sheet, and a
 * page that captures one scan of it at a time and says what the scanner sends and what to change
 * (mounted at /scanners). The reading is src/domain/scanner-check.ts; nothing is written.
 */
export function scannerCheckWeb({ config, db }: AppDeps): Router {
  const router = Router();
  router.get('/', (req, res) => res.render('scanners/check', { title: req.t('scannerCheck.title') }));
  router.get('/sheet.pdf', async (req, res) => {
    sendPdf(res, await scannerSheetPdf(req.t, config.documentFontDir), 'scanner-check.pdf');
  });
  // The page's script posts each scan it captured; the answer is what it found, to show in place.
  router.post('/check', (req, res) => {
    let scan: z.infer<typeof checkScan>;
    try {
      scan = checkScan.parse(JSON.parse(fieldText(formFields(req).scan)));
    } catch {
      throw new AppError('validation_failed', 'scannerCheck.unreadable');
    }
    const finding = analyzeCheckScan(scan);
    res.set('Cache-Control', 'no-store');
    res.render('scanners/finding', { finding: presentFinding(finding, getScannerSettings(db).gsSubstitute, req.t) });
  });
  return router;
}

/** One line of the check's answer: what was found, and whether it needs a change. */
interface FindingRow {
  label: string;
  text: string;
  ok: boolean;
}

/** The finding in the reader's words: a row per setting, each with what to change when it is not right. */
export function presentFinding(f: CheckFinding, shopSubstitute: string, t: Translate): { barcode: number | null; rows: FindingRow[] } {
  if (f.barcode === null) return { barcode: null, rows: [] };
  const shown = (s: string) => s.split(GS).join('⟨GS⟩');
  const rows: FindingRow[] = [];
  const row = (name: string, text: string, ok: boolean) => rows.push({ label: t(`scannerCheck.${name}.label`), text, ok });
  row('suffix', t(`scannerCheck.suffix.${f.suffix}`, { keys: f.suffixKeys.join(' ') }), f.suffix === 'Enter' || f.suffix === 'Tab');
  row('prefix', f.prefix ? t('scannerCheck.prefix.some', { prefix: shown(f.prefix) }) : t('scannerCheck.prefix.none'), !f.prefix);
  if (f.trailer) row('trailer', t('scannerCheck.trailer.some', { trailer: shown(f.trailer) }), false);
  row('aim', f.aim ? t('scannerCheck.aim.some', { aim: f.aim }) : t('scannerCheck.aim.none'), true);
  const layouts = f.layouts?.length ? layoutNames(f.layouts, t) : '';
  row('layout', layouts ? t('scannerCheck.layout.mismatch', { layouts }) : t('scannerCheck.layout.match'), !layouts);
  if (f.gs === 'substitute') {
    const set = f.gsSubstitute === shopSubstitute;
    row('gs', t(set ? 'scannerCheck.gs.substituteSet' : 'scannerCheck.gs.substituteNotSet', { substitute: f.gsSubstitute }), set);
  } else if (f.gs) {
    row('gs', t(`scannerCheck.gs.${f.gs}`), f.gs !== 'missing');
  }
  const ms = Math.round(f.msPerKey * 10) / 10;
  row('speed', t(ms <= SCANNER_MS_PER_KEY ? 'scannerCheck.speed.fast' : 'scannerCheck.speed.slow', { ms }), ms <= SCANNER_MS_PER_KEY);
  return { barcode: f.barcode, rows };
}
