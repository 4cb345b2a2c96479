// Small progressive enhancements on every page; every page works without this file.
import { mailChoice } from './lib/forms.js';

const closestTo = <T extends Element = HTMLElement>(target: EventTarget | null, selector: string): T | null =>
  target instanceof Element ? target.closest<T>(selector) : null;

document.addEventListener('click', (event) => {
  const back = closestTo(event.target, '[data-back]');
  if (back && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});

document.addEventListener('submit', (event) => {
  const form = closestTo<HTMLFormElement>(event.target, 'form[data-confirm]');
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
  const all = closestTo<HTMLInputElement>(event.target, '[data-select-all]');
  if (!all) return;
  const form = all.closest('form')!;
  for (const box of form.querySelectorAll<HTMLInputElement>(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) box.checked = all.checked;
  // Listeners on the form (a selection count) ran before the boxes changed: tell them again.
  form.dispatchEvent(new Event('change', { bubbles: true }));
});

// Back/forward cache: a form restored from history may be sent again.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-sending]')) delete form.dataset.sending;
});

// The status form: the e-mail choice follows the chosen status (lib/forms.ts: mailChoice).
document.addEventListener('change', (event) => {
  const select = closestTo<HTMLSelectElement>(event.target, '[data-status-select]');
  if (!select?.form) return;
  const form = select.form;
  const notify = form.querySelector<HTMLInputElement>('[data-notify]');
  const choice = mailChoice({ chosen: select.value !== '', mode: select.selectedOptions[0]?.dataset.mail, canMail: Boolean(notify && !notify.disabled) });
  for (const el of form.querySelectorAll<HTMLElement>('[data-mail-choice]')) el.hidden = choice.choiceHidden;
  const none = form.querySelector<HTMLElement>('[data-mail-none]');
  if (none) none.hidden = choice.noneHidden;
  if (notify) notify.checked = choice.notify;
});
