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
});
