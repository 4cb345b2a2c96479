// New orders since the list was shown: a notice that offers to refresh (server-sent events).
import { newOrdersText, readNewOrder } from './lib/live-text.js';

const notice = document.getElementById('live-notice');
if (notice && 'EventSource' in window) {
  const text = notice.querySelector('.text')!;
  let count = 0;
  // From the newest order this page was rendered with; a reconnect goes on from the last event seen
  // (the browser sends its id as Last-Event-ID), so orders made in between are not missed.
  const source = new EventSource(`/events/new-orders?after=${encodeURIComponent(notice.dataset.after || '')}`);
  source.addEventListener('order', (event) => {
    const order = readNewOrder((event as MessageEvent<string>).data);
    count++;
    text.textContent = newOrdersText(count, order, { one: notice.dataset.one, many: notice.dataset.many });
    notice.hidden = false;
  });
  notice.querySelector('.refresh')!.addEventListener('click', () => window.location.reload());
  window.addEventListener('pagehide', () => source.close());
}
