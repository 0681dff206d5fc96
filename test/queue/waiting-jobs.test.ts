import { describe, expect, it } from 'vitest';
import { jobKey } from '../../src/job.js';
import { WaitingJobs } from '../../src/queue/waiting-jobs.js';
import { makeJob } from '../helpers/jobs.js';

const none = (): boolean => false;

describe('WaitingJobs, the in-process queue’s index of waiting jobs', () => {
  it('gives each job its position in line and knows it by delivery id until it is taken', () => {
    const w = new WaitingJobs();
    const [a, b, c] = [makeJob({ number: 1 }), makeJob({ number: 2 }), makeJob({ number: 1 })];
    expect([w.push(a), w.push(b), w.push(c)]).toEqual([1, 2, 3]);
    expect(w.has(b.deliveryId)).toBe(true);
    expect(w.take(none)).toBe(a);
    expect(w.has(a.deliveryId)).toBe(false);
    expect(w.size).toBe(2);
    expect(w.push(makeJob({ number: 3 }))).toBe(3);
  });

  it("lists one issue's jobs oldest first, and cancelling that issue takes out only its jobs", () => {
    const w = new WaitingJobs();
    const [a, b, c] = [makeJob({ number: 7 }), makeJob({ number: 8 }), makeJob({ number: 7 })];
    for (const j of [a, b, c]) w.push(j);
    expect(w.ofKey(jobKey(a))).toEqual([a, c]);
    expect(w.removeKey(jobKey(a))).toEqual([a, c]);
    expect([w.has(a.deliveryId), w.has(c.deliveryId), w.has(b.deliveryId)]).toEqual([false, false, true]);
    expect(w.ofKey(jobKey(a))).toEqual([]);
    expect(w.take(none)).toBe(b);
    expect(w.take(none)).toBeUndefined();
  });

  it('takes the oldest job whose issue is not running, and the next of an issue once it is freed', () => {
    const w = new WaitingJobs();
    const [a1, a2, b1] = [makeJob({ number: 1 }), makeJob({ number: 1 }), makeJob({ number: 2 })];
    for (const j of [a1, a2, b1]) w.push(j);
    const running = new Set<string>();
    const take = (): unknown => {
      const job = w.take((key) => running.has(key));
      if (job !== undefined) running.add(jobKey(job));
      return job;
    };
    expect(take()).toBe(a1);
    // #1 runs: its second job waits, #2's goes ahead of it.
    expect(take()).toBe(b1);
    expect(take()).toBeUndefined();
    running.delete(jobKey(a1));
    w.freed(jobKey(a1));
    expect(take()).toBe(a2);
  });

  it('puts a job back at the head of the line, ahead of its issue’s other jobs', () => {
    const w = new WaitingJobs();
    const [a, b, back] = [makeJob({ number: 1 }), makeJob({ number: 2 }), makeJob({ number: 2 })];
    w.push(a);
    w.push(b);
    w.unshift(back);
    expect(w.ofKey(jobKey(b))).toEqual([back, b]);
    expect([w.take(none), w.take(none), w.take(none)]).toEqual([back, a, b]);
  });

  it('keeps arrival order over many issues, and hands every job out exactly once', () => {
    const w = new WaitingJobs();
    const jobs = Array.from({ length: 5000 }, (_, i) => makeJob({ number: 1 + ((i * 7919) % 997) }));
    for (const j of jobs) w.push(j);
    // Cancel one issue in the middle of the line.
    const cancelled = new Set(w.removeKey(jobKey(makeJob({ number: 500 }))).map((j) => j.deliveryId));
    expect(cancelled.size).toBeGreaterThan(0);
    const taken = [];
    for (let j = w.take(none); j !== undefined; j = w.take(none)) taken.push(j);
    expect(taken).toEqual(jobs.filter((j) => !cancelled.has(j.deliveryId)));
    expect(w.size).toBe(0);
  });

  it('clears the line oldest first, jobs put back at the head included', () => {
    const w = new WaitingJobs();
    const [a, b, back] = [makeJob({ number: 1 }), makeJob({ number: 2 }), makeJob({ number: 3 })];
    w.push(a);
    w.push(b);
    w.unshift(back);
    expect(w.clear()).toEqual([back, a, b]);
    expect([w.size, w.has(a.deliveryId), w.take(none)]).toEqual([0, false, undefined]);
  });
});
