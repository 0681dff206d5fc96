import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { makeJob } from './helpers/jobs.js';
import { testProbot } from './helpers/probot.js';

describe("the runtime's line of acknowledgements per installation", () => {
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
  });

  it('goes on after one that fails', async () => {
    runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef' });
    const looked: string[] = [];
    vi.spyOn(runtime.queue, 'isWaiting').mockImplementation(async (job) => {
      looked.push(job.deliveryId);
      if (job.deliveryId === 'a-1') throw new Error('redis went away');
      return false;
    });
    runtime.acknowledge(makeJob({ deliveryId: 'a-1', installationId: 1 }), 1);
    runtime.acknowledge(makeJob({ deliveryId: 'a-2', installationId: 1, number: 2 }), 2);
    await runtime.settled();
    expect(looked).toEqual(['a-1', 'a-2']);
  });

  it('works through a long line in order, each once, and takes a new line afterwards', async () => {
    runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef' });
    const looked: string[] = [];
    vi.spyOn(runtime.queue, 'isWaiting').mockImplementation(async (job) => {
      looked.push(job.deliveryId);
      return false;
    });
    const ids = Array.from({ length: 3000 }, (_, i) => `d-${i}`);
    for (const [i, id] of ids.entries()) runtime.acknowledge(makeJob({ deliveryId: id, installationId: 7, number: 1 + (i % 50) }), i + 1);
    await runtime.settled();
    expect(looked).toEqual(ids);
    runtime.acknowledge(makeJob({ deliveryId: 'later', installationId: 7 }), 1);
    await runtime.settled();
    expect(looked.at(-1)).toBe('later');
    expect(looked).toHaveLength(3001);
  });

  it('a shutdown drops the acknowledgements not made yet: the one in flight ends, nothing after it starts', async () => {
    runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_SHUTDOWN_GRACE_SECONDS: '0' });
    const looked: string[] = [];
    let release = (): void => undefined;
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    vi.spyOn(runtime.queue, 'isWaiting').mockImplementation(async (job) => {
      looked.push(job.deliveryId);
      await inFlight;
      return false;
    });
    for (let i = 0; i < 500; i += 1) runtime.acknowledge(makeJob({ deliveryId: `s-${i}`, installationId: 3, number: 1 + (i % 20) }), i + 1);
    await new Promise((r) => setImmediate(r));
    const shutdown = runtime.shutdown();
    release();
    await shutdown;
    expect(looked).toEqual(['s-0']);
    // Nor does a late delivery start a new line.
    runtime.acknowledge(makeJob({ deliveryId: 'late', installationId: 4 }), 1);
    await runtime.settled();
    expect(looked).toEqual(['s-0']);
  });
});
