import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { makeJob } from './helpers/jobs.js';
import { testProbot } from './helpers/probot.js';

describe('the runtime', () => {
  let runtime: Runtime | undefined;

  afterEach(async () => {
    await runtime?.close();
  });

  it("starts a queued job's acknowledgement after the webhook's turn, with one lookup of its delivery", async () => {
    runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef' });
    const isWaiting = vi.spyOn(runtime.queue, 'isWaiting');
    const describeKey = vi.spyOn(runtime.queue, 'describe');
    const job = makeJob();
    runtime.acknowledge(job, 1);
    // Nothing yet in the handler's turn: Probot answers GitHub first.
    expect(isWaiting).not.toHaveBeenCalled();
    await runtime.settled();
    // Not in the queue (never enqueued here): nothing more is done for it.
    expect(isWaiting.mock.calls).toEqual([[job]]);
    expect(describeKey).not.toHaveBeenCalled();
  });

  it("acknowledges an installation's queued jobs one after another, and another installation's meanwhile", async () => {
    runtime = createRuntime(testProbot('http://127.0.0.1:9/api/v3'), { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef' });
    let release: (waiting: boolean) => void = () => undefined;
    const first = new Promise<boolean>((resolve) => (release = resolve));
    const looked: string[] = [];
    vi.spyOn(runtime.queue, 'isWaiting').mockImplementation(async (job) => {
      looked.push(job.deliveryId);
      return job.deliveryId === 'a-1' ? first : false;
    });
    runtime.acknowledge(makeJob({ deliveryId: 'a-1', installationId: 1 }), 1);
    runtime.acknowledge(makeJob({ deliveryId: 'a-2', installationId: 1, number: 2 }), 2);
    runtime.acknowledge(makeJob({ deliveryId: 'b-1', installationId: 2 }), 1);
    await vi.waitFor(() => expect(looked).toContain('b-1'));
    // The first of installation 1 is still at work: its second waits; installation 2's went ahead.
    expect(looked).toEqual(['a-1', 'b-1']);
    release(false);
    await runtime.settled();
    expect(looked).toEqual(['a-1', 'b-1', 'a-2']);
  });
});
