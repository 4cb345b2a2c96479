// Live view of a pack run: counts, progress bar and each order's outcome as the run writes them.
(() => {
  const run = document.getElementById('run');
  if (!run || !run.dataset.live || !window.EventSource) return;
  const i18n = JSON.parse(run.dataset.i18n);
  const list = document.getElementById('steps');
  const template = document.getElementById('step-template');
  const fill = (text, values) => text.replace(/\{\{(\w+)\}\}/g, (_, k) => String(values[k] ?? ''));
  const MAX_ROWS = 500;

  // The same words as the server's explainStep (src/pack/steps.ts).
  const paymentView = (p) => {
    if (p.paid) return 'paid';
    if (!i18n.payLater.includes(p.paymentMethod)) return 'not_paid';
    if (p.approved) return 'approved';
    return p.ok ? 'no_approval' : 'approval_needed';
  };
  const verdict = (o) => (o.outcome === 'promoted' ? i18n.promoted : fill(i18n.held, { reason: i18n.reasons[o.reason] || o.reason }));
  const describe = (o) => {
    const parts = [i18n.payment[paymentView(o.payment)]];
    for (const l of o.lines || []) parts.push(`${l.sku} ${l.available === null ? fill(i18n.lineUntracked, l) : fill(i18n.lineCheck, l)}${l.ok ? ' ✓' : ' ✗'}`);
    return parts.join(' · ');
  };
  const setCounts = (c) => {
    // Written as the page writes them: "1 234" in Swedish (the page's lang).
    const number = (n) => Number(n).toLocaleString(document.documentElement.lang || undefined);
    document.getElementById('count-examined').textContent = number(c.done ?? c.examined);
    document.getElementById('count-promoted').textContent = number(c.promoted);
    document.getElementById('count-held').textContent = number(c.held);
    const bar = document.getElementById('run-progress');
    if (c.total) bar.max = c.total;
    bar.value = c.done ?? c.examined;
  };
  const addRows = (orders) => {
    for (const o of orders) {
      const li = template.content.firstElementChild.cloneNode(true);
      li.classList.add(`step-${o.outcome}`);
      li.querySelector('.code').textContent = o.code;
      li.querySelector('.outcome').textContent = verdict(o);
      li.querySelector('.detail').textContent = describe(o);
      list.appendChild(li);
    }
    while (list.children.length > MAX_ROWS) list.removeChild(list.firstElementChild);
  };

  const source = new EventSource(`/tools/pack-script/runs/${run.dataset.runId}/events`);
  source.addEventListener('state', (e) => {
    const state = JSON.parse(e.data);
    setCounts(state);
  });
  source.addEventListener('batch', (e) => {
    const batch = JSON.parse(e.data);
    setCounts(batch);
    addRows(batch.orders);
  });
  source.addEventListener('counts', (e) => setCounts(JSON.parse(e.data)));
  source.addEventListener('finished', () => {
    source.close();
    // The finished run's page has the summary by reason and the full list.
    window.location.reload();
  });
})();
