import { describe, expect, it } from 'vitest';
import { spawnTurn } from '../src/spawn-turn.js';

describe('spawnTurn', () => {
  it('lets one caller start a process a turn of the event loop, in arrival order, with the loop served between two', async () => {
    const order: string[] = [];
    const starts = [0, 1, 2].map((i) => spawnTurn().then(() => order.push(`start ${i}`)));
    // Immediates queued now and from each other mark the loop's turns.
    setImmediate(() => {
      order.push('turn 1 served');
      setImmediate(() => {
        order.push('turn 2 served');
        setImmediate(() => order.push('turn 3 served'));
      });
    });
    await Promise.all(starts);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['start 0', 'turn 1 served', 'start 1', 'turn 2 served', 'start 2', 'turn 3 served']);
  });

  it('is given again after a quiet spell, when no turn is scheduled any more', async () => {
    await spawnTurn();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(spawnTurn()).resolves.toBeUndefined();
  });
});
