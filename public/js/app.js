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
});
