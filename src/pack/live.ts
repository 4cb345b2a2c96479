import { EventEmitter } from 'node:events';
import type { PackProgress } from './progress.js';
import type { OrderOutcome } from './steps.js';

/** What a page opened in the middle of a run needs to catch up. */
export interface LiveState {
  runId: number;
  total: number;
  done: number;
  promoted: number;
  held: number;
  /** The latest order outcomes, newest last. */
  recent: OrderOutcome[];
  finished: boolean;
}

const RECENT = 200;

/**
 * Relays the progress of runs in this process to the pages watching them (server-sent events).
 * Runs in another process are followed through their database row instead.
 */
export class PackRunHub {
  private readonly emitter = new EventEmitter();
  private readonly states = new Map<number, LiveState>();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  publish = (event: PackProgress): void => {
    const state = this.states.get(event.runId) ?? { runId: event.runId, total: 0, done: 0, promoted: 0, held: 0, recent: [], finished: false };
    if (event.type === 'started') state.total = event.total;
    if (event.type === 'created') state.total = 0;
    if (event.type === 'batch') {
      Object.assign(state, { done: event.done, total: event.total, promoted: event.promoted, held: event.held });
      state.recent = [...state.recent, ...event.orders].slice(-RECENT);
    }
    if (event.type === 'finished' || event.type === 'failed') {
      state.finished = true;
      // Late watchers read the finished run from the database.
      setTimeout(() => this.states.delete(event.runId), 60_000).unref();
    }
    this.states.set(event.runId, state);
    this.emitter.emit(`run:${event.runId}`, event);
  };

  state(runId: number): LiveState | undefined {
    return this.states.get(runId);
  }

  subscribe(runId: number, listener: (event: PackProgress) => void): () => void {
    this.emitter.on(`run:${runId}`, listener);
    return () => this.emitter.off(`run:${runId}`, listener);
  }
}
