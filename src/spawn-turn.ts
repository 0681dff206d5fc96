/**
 * Starting a child process blocks the event loop until the child has exec'd (a fork, then a wait on
 * the child), a few milliseconds each, and much more on a loaded machine. A hundred jobs moving in
 * step start their commands in the same turn of the loop, which then blocks for the sum, and every
 * webhook, timer and stream waits. Each caller awaits its own turn here right before it spawns: one
 * start a turn, in arrival order, with the loop's timers and I/O served between two starts.
 */
const waiting: Array<() => void> = [];
let scheduled = false;

export function spawnTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  });
}

// An immediate set from an immediate runs in the loop's next turn, after its timers and I/O.
function next(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(next);
  else scheduled = false;
}
