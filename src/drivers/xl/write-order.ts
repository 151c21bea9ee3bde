/**
 * Writes applied in the order they were asked for, per key (a definition's name): each waits for
 * the ones of its keys asked before it, failed or not. It orders the I/O of one definition; it
 * is not the system lock (virt/lock.ts).
 */
export class WriteOrder {
  /** The last write asked for, per key: the next one starts after it (never rejects). */
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `work` once the writes of `keys` already asked for have ended; theirs wait for it. */
  after<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const before = keys.length === 1 ? this.tails.get(keys[0]!) ?? Promise.resolve() : Promise.all(keys.map((k) => this.tails.get(k)));
    const run = before.then(work);
    const tail = run.then(() => {}, () => {});
    for (const k of keys) {
      this.tails.set(k, tail);
      void tail.then(() => {
        if (this.tails.get(k) === tail) this.tails.delete(k);
      });
    }
    return run;
  }

  /** Resolves once every write asked for so far has ended. */
  settled(): Promise<unknown> {
    return Promise.all(this.tails.values());
  }
}
