// After a refused form the cursor goes to the first field the refusal names (each such field has
// aria-invalid="true", written by the view), so that a keyboard or screen-reader user starts where
// the fix is. A field the page itself chose with autofocus wins when it is one of them.
const invalid = document.querySelector('main [autofocus][aria-invalid="true"]') ?? document.querySelector('main [aria-invalid="true"]');
if (invalid instanceof HTMLElement) invalid.focus();
