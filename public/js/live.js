// New orders while the list is open: a notice that offers to refresh (server-sent events).
(() => {
  const notice = document.getElementById('live-notice');
  if (!notice || !window.EventSource) return;
  const text = notice.querySelector('.text');
  let count = 0;
  const source = new EventSource('/events/new-orders');
  source.addEventListener('order', (event) => {
    const order = JSON.parse(event.data);
    count++;
    text.textContent = count === 1 ? notice.dataset.one.replace('{{code}}', order.code).replace('{{name}}', order.customerName || '') : notice.dataset.many.replace('{{count}}', count);
    notice.hidden = false;
  });
  notice.querySelector('.refresh').addEventListener('click', () => window.location.reload());
  window.addEventListener('pagehide', () => source.close());
})();
