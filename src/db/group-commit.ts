import { preparedFor, savepoint, writeTransaction, type Db, type Tx } from './client.js';

interface Job {
  work: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: small writes that arrive together (a station's scans, under load from many
 * packers) run in one IMMEDIATE transaction, each inside its own savepoint, so one refused write
 * does not undo the others and the commit — the costly part of a small write — is paid once per
 * group. A caller is answered only after the group is committed: nothing acknowledged is lost.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  /** Runs `work` in the next group's transaction, in a savepoint of its own; settles after the commit. */
  run<T>(work: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const jobs = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      writeTransaction(this.db, (tx) => {
        for (const job of jobs) {
          try {
            // A refusal rolls back this job's savepoint only.
            outcomes.push({ ok: true, value: savepoint(tx, job.work) });
          } catch (error) {
            // SQLite rolls the whole transaction back itself on some errors (SQLITE_FULL, an I/O
            // error): then nothing of the group is saved, and every job must hear so.
            if (!tx.$client.inTransaction) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: none of the group was saved.
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}

/** The group commit of a database connection. */
export const groupCommit = preparedFor((_sqlite, db) => new GroupCommit(db));
