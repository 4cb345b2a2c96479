// Goods in and stock counts: the scan field keeps the focus. A scan ends with Enter or Tab
// (scanner.js reads it as the server will): that moves to the quantity field (its text selected,
// to key over it) once the server knows the code — an unknown one is said beside the field at once;
// Enter there books the line. A code typed as "12*7350053850019" carries its
// quantity and is booked at once. A scan the reader refuses is said beside the field by scanner.js.
(function () {
  'use strict';
  var form = document.querySelector('form.scan-form');
  if (!form) return;
  var scan = form.querySelector('[data-scan]');
  var qty = form.querySelector('[data-qty]');
  var source = form.querySelector('input[name=source]');
  scan.addEventListener('scan', function (e) {
    var detail = e.detail;
    if (!detail.reading.ok || !qty || /^\s*\d{1,3}\s*[*xX×]/.test(detail.raw)) return;
    e.preventDefault();
    scan.value = detail.raw;
    if (source) source.value = detail.source;
    var notice = window.Scanner.layoutNotice(detail.reading);
    window.Scanner.say(scan, notice || '', notice ? 'duplicate' : '');
    // An unknown code is refused here, before its quantity is keyed; the text stays, selected, to scan again.
    var url = '/tools/stock/code?code=' + encodeURIComponent(detail.raw) + '&source=' + encodeURIComponent(detail.source);
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) { return res.json(); })
      .then(function (answer) {
        if (scan.value !== detail.raw) return;
        if (answer.ok) return toQuantity();
        window.Scanner.say(scan, answer.message, 'error');
        scan.focus();
        scan.select();
      })
      // Offline or an error page: the server checks the code when the line is booked.
      .catch(toQuantity);
  });
  function toQuantity() {
    qty.focus();
    qty.select();
  }
})();
