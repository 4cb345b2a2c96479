// Goods in and stock counts: the scan field keeps the focus. A scanner ends its code with Enter:
// that moves to the quantity field (its text selected, to key over it); Enter there books the line.
// A code typed as "12*7350053850019" carries its quantity and is booked at once.
(function () {
  'use strict';
  var form = document.querySelector('form.scan-form');
  if (!form) return;
  var scan = form.querySelector('[data-scan]');
  var qty = form.querySelector('[data-qty]');
  scan.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || !qty || /^\s*\d{1,3}\s*[*xX×]/.test(scan.value) || scan.value.trim() === '') return;
    e.preventDefault();
    qty.focus();
    qty.select();
  });
})();
