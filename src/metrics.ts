import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JobInterrupted } from './queue/interrupted.js';
import { JobDeferred } from './queue/deferred.js';
import type { Job } from './job.js';
import type { EnqueueResult, JobProcessor, QueueStats } from './queue/queue.js';
import type { WorkerOutcome } from './jobs/worker.js';
import type { Sandbox, SandboxProvider } from './sandbox/provider.js';

/**
 * The app's Prometheus metrics, served on `/metrics`. Each runtime has its own registry (never
 * prom-client's global one), so several runtimes in one process, as in tests, do not collide.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #enqueued: Counter<'result'>;
  readonly #started: Counter<'agent' | 'restarted'>;
  readonly #finished: Counter<'outcome' | 'agent'>;
  readonly #duration: Histogram<'outcome' | 'agent'>;
  readonly #sandboxSeconds: Counter<'template'>;
  readonly #tokens: Counter<'agent' | 'direction'>;
  readonly #cost: Counter<'agent'>;
  readonly #webhook: Histogram<'event'>;
  readonly #webhookByEvent = new Map<string, { observe(value: number): void }>();
  readonly #running: Gauge;
  /** Outcomes the worker reported, by delivery id, until the job's run ends. */
  readonly #outcomes = new Map<string, string>();

  constructor(queueStats: () => Promise<QueueStats>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'issuesmith_' });
    let stats: Promise<QueueStats | undefined> | undefined;
    // One stats call per scrape for both gauges; a queue that cannot answer leaves them unset.
    const fresh = (): Promise<QueueStats | undefined> =>
      (stats ??= queueStats()
        .catch(() => undefined)
        .finally(() => setImmediate(() => (stats = undefined))));
    const queueGauge = (name: string, help: string, of: (s: QueueStats) => number): void =>
      void new Gauge({
        name,
        help,
        registers,
        async collect() {
          const s = await fresh();
          if (s !== undefined) this.set(of(s));
        },
      });
    queueGauge('issuesmith_jobs_queued', 'Jobs waiting in the queue (all processes, when the queue is on Redis)', (s) => s.waiting);
    queueGauge('issuesmith_jobs_running', 'Jobs running (all processes, when the queue is on Redis)', (s) => s.running);
    this.#running = new Gauge({ name: 'issuesmith_worker_jobs_running', help: 'Jobs running in this process', registers });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> => new Counter({ name, help, labelNames, registers });
    this.#enqueued = counter('issuesmith_jobs_enqueued_total', 'Webhook deliveries offered to the queue, by result (accepted, duplicate)', ['result']);
    this.#started = counter('issuesmith_jobs_started_total', 'Job runs started in this process, by agent and whether it was a restart', ['agent', 'restarted']);
    this.#finished = counter('issuesmith_jobs_finished_total', 'Job runs ended in this process, by outcome and agent', ['outcome', 'agent']);
    this.#duration = new Histogram({
      name: 'issuesmith_job_duration_seconds',
      help: 'How long a job run took, by outcome and agent',
      labelNames: ['outcome', 'agent'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    });
    this.#sandboxSeconds = counter('issuesmith_sandbox_seconds_total', 'Seconds sandboxes lived (until paused or killed), by template', ['template']);
    this.#tokens = counter('issuesmith_agent_tokens_total', 'Tokens agents used, by agent and direction (input, output)', ['agent', 'direction']);
    this.#cost = counter('issuesmith_agent_cost_usd_total', 'Cost agents reported, in US dollars, by agent', ['agent']);
    this.#webhook = new Histogram({
      name: 'issuesmith_webhook_duration_seconds',
      help: 'Time to handle a webhook (parse and enqueue), by event',
      labelNames: ['event'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  enqueued(result: EnqueueResult): void {
    this.#enqueued.inc({ result: result.accepted ? 'accepted' : 'duplicate' });
  }

  webhookHandled(event: string, seconds: number): void {
    // One labelled child per event, made once: observing then costs no label lookup per delivery.
    let child = this.#webhookByEvent.get(event);
    if (child === undefined) {
      child = this.#webhook.labels({ event });
      this.#webhookByEvent.set(event, child);
    }
    child.observe(seconds);
  }

  /** The worker's `onOutcome`: what the job ended with, and what its agent used. */
  outcome(job: Job, outcome: WorkerOutcome): void {
    this.#outcomes.set(job.deliveryId, outcome.kind);
    if ('run' in outcome) {
      this.#tokens.inc({ agent: job.profile, direction: 'input' }, outcome.run.inputTokens);
      this.#tokens.inc({ agent: job.profile, direction: 'output' }, outcome.run.outputTokens);
      if (outcome.run.costUsd !== undefined) this.#cost.inc({ agent: job.profile }, outcome.run.costUsd);
    }
  }

  /** A job the queue gave up on without running it. */
  abandoned(job: Job): void {
    this.#finished.inc({ outcome: 'abandoned', agent: job.profile });
  }

  /** Wraps the queue's processor: counts runs, times them, and labels them with their outcome. */
  instrument(process: JobProcessor): JobProcessor {
    return async (job, context) => {
      const started = performance.now();
      this.#running.inc();
      this.#started.inc({ agent: job.profile, restarted: String(context.attempt > 1) });
      let thrown: unknown;
      try {
        await process(job, context);
      } catch (err) {
        thrown = err;
        throw err;
      } finally {
        this.#running.dec();
        const reported = this.#outcomes.get(job.deliveryId);
        this.#outcomes.delete(job.deliveryId);
        const outcome = thrown instanceof JobInterrupted ? 'interrupted' : thrown instanceof JobDeferred ? 'deferred' : (reported ?? (thrown === undefined ? 'unknown' : 'error'));
        const labels = { outcome, agent: job.profile };
        this.#finished.inc(labels);
        this.#duration.observe(labels, (performance.now() - started) / 1000);
      }
    };
  }

  /** Wraps a sandbox provider so that every sandbox's lifetime is counted when it is paused or killed. */
  meter(provider: SandboxProvider): SandboxProvider {
    const seconds = this.#sandboxSeconds;
    const metered = (sandbox: Sandbox, template: string): Sandbox => {
      const born = performance.now();
      let counted = false;
      const count = (): void => {
        if (counted) return;
        counted = true;
        seconds.inc({ template }, (performance.now() - born) / 1000);
      };
      // A proxy rather than a copy: methods a provider adds later still reach the real sandbox.
      return new Proxy(sandbox, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          const fn = value as (...args: unknown[]) => unknown;
          if (prop === 'pause' || prop === 'kill') {
            return async (...args: unknown[]) => {
              try {
                return await fn.apply(target, args);
              } finally {
                count();
              }
            };
          }
          return fn.bind(target);
        },
      });
    };
    return new Proxy(provider, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop === 'create') {
          return async (o: Parameters<SandboxProvider['create']>[0]) => metered(await target.create(o), o.template);
        }
        if (prop === 'connect') {
          return async (id: string, owner: Parameters<SandboxProvider['connect']>[1]) => {
            const s = await target.connect(id, owner);
            return s === undefined ? undefined : metered(s, 'resumed');
          };
        }
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
