// Small progressive enhancements; every page works without this file.
document.addEventListener('click', (event) => {
  const back = event.target.closest('[data-back]');
  if (back && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});

document.addEventListener('submit', (event) => {
  const form = event.target.closest('form[data-confirm]');
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  // A double click must not send a form twice.
  const submitted = event.target;
  if (!event.defaultPrevented && submitted instanceof HTMLFormElement) {
    if (submitted.dataset.sending) event.preventDefault();
    else submitted.dataset.sending = '1';
  }
});

// "All on this page" ticks every checkbox of the same name.
document.addEventListener('change', (event) => {
  const all = event.target.closest('[data-select-all]');
  if (!all) return;
  const form = all.closest('form');
  for (const box of form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) box.checked = all.checked;
  // Listeners on the form (a selection count) ran before the boxes changed: tell them again.
  form.dispatchEvent(new Event('change', { bubbles: true }));
});

// Back/forward cache: a form restored from history may be sent again.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-sending]')) delete form.dataset.sending;
});

// The status form: the e-mail choice follows the chosen status (ticked when it is sent
// automatically, offered unticked, hidden when the status sends none or nothing is chosen yet).
document.addEventListener('change', (event) => {
  const select = event.target.closest('[data-status-select]');
  if (!select) return;
  const form = select.form;
  const chosen = select.value !== '';
  const mode = select.selectedOptions[0]?.dataset.mail ?? 'never';
  const notify = form.querySelector('[data-notify]');
  const canMail = notify && !notify.disabled;
  for (const el of form.querySelectorAll('[data-mail-choice]')) el.hidden = !chosen || !canMail || mode === 'never';
  const none = form.querySelector('[data-mail-none]');
  if (none) none.hidden = !chosen || (canMail && mode !== 'never');
  if (notify) notify.checked = mode === 'auto';
});
