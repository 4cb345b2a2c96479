// Live view of a pack run: counts, progress bar and each order's outcome as the run writes them.
import { describeOrder, verdict, type PackRunTexts, type RunOrder } from './lib/pack-run-text.js';

/** The counts of a run's `state`, `batch` and `counts` events. */
interface Counts {
  done?: number;
  examined?: number;
  total?: number;
  promoted: number;
  held: number;
}

const MAX_ROWS = 500;
const run = document.getElementById('run');

if (run?.dataset.live && 'EventSource' in window) {
  const texts = JSON.parse(run.dataset.i18n ?? '{}') as PackRunTexts;
  const list = document.getElementById('steps')!;
  const template = document.getElementById('step-template') as HTMLTemplateElement;
  const byId = (id: string) => document.getElementById(id)!;

  const setCounts = (c: Counts) => {
    // Written as the page writes them: "1 234" in Swedish (the page's lang).
    const number = (n: unknown) => Number(n).toLocaleString(document.documentElement.lang || undefined);
    byId('count-examined').textContent = number(c.done ?? c.examined);
    byId('count-promoted').textContent = number(c.promoted);
    byId('count-held').textContent = number(c.held);
    const bar = byId('run-progress') as HTMLProgressElement;
    if (c.total) bar.max = c.total;
    bar.value = c.done ?? c.examined ?? 0;
  };
  const addRows = (orders: RunOrder[]) => {
    for (const o of orders) {
      const li = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
      li.classList.add(`step-${o.outcome}`);
      li.querySelector('.code')!.textContent = o.code;
      li.querySelector('.outcome')!.textContent = verdict(o, texts);
      li.querySelector('.detail')!.textContent = describeOrder(o, texts);
      list.appendChild(li);
    }
    while (list.children.length > MAX_ROWS) list.removeChild(list.firstElementChild!);
  };

  const data = <T>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
  const source = new EventSource(`/tools/pack-script/runs/${run.dataset.runId}/events`);
  source.addEventListener('state', (e) => setCounts(data<Counts>(e)));
  source.addEventListener('batch', (e) => {
    const batch = data<Counts & { orders: RunOrder[] }>(e);
    setCounts(batch);
    addRows(batch.orders);
  });
  source.addEventListener('counts', (e) => setCounts(data<Counts>(e)));
  source.addEventListener('finished', () => {
    source.close();
    // The finished run's page has the summary by reason and the full list.
    window.location.reload();
  });
}
