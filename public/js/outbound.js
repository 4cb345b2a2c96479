// Outbound: select orders by scanning their code, print the chosen document in a new tab, and
// refresh the printed markers afterwards. The page works without this file.
(() => {
  const form = document.getElementById('outbound-print');
  if (!form) return;
  const boxes = () => [...form.querySelectorAll('input[type=checkbox][name=orders]')];
  const count = form.querySelector('.selected-count');
  const updateCount = () => {
    const n = boxes().filter((b) => b.checked).length;
    count.textContent = n ? count.dataset.template.replace('{{count}}', n) : '';
  };
  form.addEventListener('change', updateCount);
  updateCount();

  // A keyboard-wedge scanner types the code and Enter: tick that order and stay in the field.
  const scan = document.getElementById('outbound-scan');
  const field = document.getElementById('outbound-scan-code');
  const status = scan.querySelector('.scan-status');
  scan.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = field.value.trim();
    field.value = '';
    field.focus();
    if (!code) return;
    const box = boxes().find((b) => b.value === code);
    if (box) {
      box.checked = true;
      box.closest('tr').scrollIntoView({ block: 'nearest' });
      updateCount();
    }
    status.textContent = (box ? field.dataset.msgOk : field.dataset.msgUnknown).replace('{{code}}', code);
    status.className = `scan-status ${box ? 'ok' : 'error'}`;
  });

  form.addEventListener('submit', (event) => {
    const problem = !boxes().some((b) => b.checked) ? form.dataset.msgNone : !form.elements.kind.value ? form.dataset.msgNofunction : null;
    if (problem) {
      event.preventDefault();
      delete form.dataset.sending;
      status.textContent = problem;
      status.className = 'scan-status error';
      return;
    }
    status.textContent = '';
    // The PDF opens in a new tab; this list stays, and its markers are fetched again: shortly, and
    // when the packer comes back to this tab (a large print is recorded only once it is made).
    setTimeout(() => {
      delete form.dataset.sending;
      refreshMarkers();
    }, 1500);
  });

  const refreshMarkers = async () => {
    const res = await fetch(window.location.pathname, { credentials: 'same-origin' });
    if (!res.ok) return;
    const page = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const row of page.querySelectorAll('tr[data-code]')) {
      const mine = form.querySelector(`tr[data-code="${row.dataset.code}"] .markers`);
      if (mine) mine.innerHTML = row.querySelector('.markers').innerHTML;
    }
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshMarkers();
  });
})();
