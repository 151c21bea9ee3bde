/**
 * Process starts spread over the event loop's turns. Starting a child holds the loop until it has
 * been forked and has exec'd: 1 to 2.5 ms from a server of a hundred megabytes. The calls of a
 * whole network's launch are asked for in one turn, so a hundred `xl unpause` started together
 * held every read for a quarter of a second. At most SPAWNS_PER_TURN start in a turn; the rest
 * wait for the next ones, in the order they asked, with the requests that arrived between.
 */

/** Starts per turn: a few milliseconds of the loop at most, a hundred calls in about 25 turns. */
export const SPAWNS_PER_TURN = 4;

let started = 0;
let turnScheduled = false;
const waiting: (() => void)[] = [];

function nextTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  // setImmediate: after the I/O (incoming requests) of the turn, not before it.
  setImmediate(() => {
    turnScheduled = false;
    const now = waiting.splice(0, SPAWNS_PER_TURN);
    started = now.length;
    for (const go of now) go();
    if (waiting.length > 0 || started > 0) nextTurn();
  });
}

/**
 * Resolves when the caller may start its process: at once (undefined, no promise to await) while
 * this turn has room and nobody waits, otherwise in a later turn.
 */
export function spawnTurn(): Promise<void> | undefined {
  if (started < SPAWNS_PER_TURN && waiting.length === 0) {
    started++;
    nextTurn();
    return undefined;
  }
  const turn = new Promise<void>((resolve) => waiting.push(resolve));
  nextTurn();
  return turn;
}

/**
 * Waits for the caller's turn to start its process. False when `signal` was aborted before then:
 * the caller starts nothing (execa would fork the process only to kill it, in a turn another call
 * wanted).
 */
export async function startTurn(signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  const turn = spawnTurn();
  if (turn) await turn;
  return !signal?.aborted;
}
