import { EventEmitter } from 'node:events';
import type { Conn } from '../db/client.js';
import { newestOrderEventId, newOrdersAfter, newOrdersBetween, type NewOrderRow } from './repo.js';

export interface NewOrder {
  /** The order log row that made it new: the stream's event id, from which a reconnect goes on. */
  id: number;
  code: string;
  customerName: string | null;
  at: string;
}

/**
 * New orders, as they arrive: one query a second over the order log, by this process, whatever
 * made the order (the API, a checkout, another server on the same file), shared by every open page
 * — a thousand open pages still cost one query a second, and none while no page listens.
 */
export class NewOrderFeed {
  private readonly emitter = new EventEmitter();
  private timer: NodeJS.Timeout | null = null;
  private after = 0;

  constructor(
    private readonly conn: Conn,
    private readonly everyMs = 1000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** The newest order log row now: a page rendered now has seen every new order up to it. */
  newestId(): number {
    return newestOrderEventId(this.conn);
  }

  /**
   * Subscribes, and first gives what came after `afterId` (the last event a page saw: its
   * Last-Event-ID on a reconnect, or the newest row when it was rendered) up to where the feed is,
   * so that nothing made while the page was away is missed or given twice (at most 100).
   */
  subscribeAfter(afterId: number | null, listener: (order: NewOrder) => void): () => void {
    const unsubscribe = this.subscribe(listener);
    if (afterId !== null) for (const row of newOrdersBetween(this.conn, afterId, this.after)) listener(toNewOrder(row));
    return unsubscribe;
  }

  subscribe(listener: (order: NewOrder) => void): () => void {
    if (this.emitter.listenerCount('order') === 0) this.start();
    this.emitter.on('order', listener);
    return () => {
      this.emitter.off('order', listener);
      if (this.emitter.listenerCount('order') === 0) this.stop();
    };
  }

  private start() {
    this.after = this.newestId();
    this.timer = setInterval(() => this.poll(), this.everyMs);
    this.timer.unref();
  }

  private stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A new order: created in status order, or a preorder checked out. */
  poll(): void {
    const rows = newOrdersAfter(this.conn, this.after);
    // Past the other events too, unless the page of new orders was full.
    const last = rows.length === 100 ? rows[99]!.id : this.newestId();
    this.after = Math.max(this.after, last);
    for (const r of rows) this.emitter.emit('order', toNewOrder(r));
  }
}

const toNewOrder = (r: NewOrderRow): NewOrder => ({ id: r.id, code: r.code, customerName: r.customerName, at: r.at.toISOString() });
