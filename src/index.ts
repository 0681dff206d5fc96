import type { ApplicationFunctionOptions, Probot } from 'probot';
import type { Metrics } from './metrics.js';
import { createRuntime, type Runtime } from './runtime.js';
import {
  intentFromCheckRunAction,
  intentFromCheckSuite,
  intentFromComment,
  intentFromLabel,
  intentFromPullRequestClosed,
  intentFromReview,
  intentFromReviewComment,
  type Intent,
  type TriggerOptions,
} from './triggers/intent.js';

type IntentOf = (payload: unknown, deliveryId: string, options: TriggerOptions) => Intent;
type Enqueue = (intent: Intent, id: string, event: string) => Promise<void>;
type RouteHandler = Parameters<ApplicationFunctionOptions['addHandler']>[0];

/** The webhooks the app answers, each with the trigger that reads it into an intent. */
const INTENTS = {
  'issues.labeled': intentFromLabel,
  'issue_comment.created': intentFromComment,
  'check_run.requested_action': intentFromCheckRunAction,
  'pull_request_review_comment.created': intentFromReviewComment,
  'pull_request_review.submitted': intentFromReview,
  'pull_request.closed': intentFromPullRequestClosed,
  'check_suite.completed': intentFromCheckSuite,
} satisfies Record<string, IntentOf>;

/**
 * The Probot app: handlers only turn a webhook into an intent and enqueue it, so GitHub gets its answer
 * in milliseconds; every GitHub call happens in the worker. Tests pass their own runtime.
 */
export default function issuesmith(app: Probot, options: Partial<ApplicationFunctionOptions> = {}, given?: Runtime): Runtime {
  const runtime = given ?? createRuntime(app, process.env);
  // A worker (ISSUESMITH_ROLE=worker) only runs jobs from Redis: it handles no webhook.
  if (runtime.settings.role !== 'worker') registerHandlers(app, runtime);
  options.addHandler?.(metricsRoute(runtime.metrics));
  options.addHandler?.(healthRoute(runtime));
  return runtime;
}

function registerHandlers(app: Probot, runtime: Runtime): void {
  const { settings, profiles, metrics } = runtime;
  const triggerOptions: TriggerOptions = {
    defaultProfile: settings.defaultAgent,
    isProfile: (word) => profiles.get(word) !== undefined,
    labelPrefix: settings.labelPrefix,
    command: settings.command,
    // Checks a closed pull request's state marker offline: the handler still makes no API call.
    stateKey: settings.stateKey,
    ...appIdOf(settings.env.APP_ID),
  };
  const enqueue = enqueuer(app, runtime);
  for (const event of Object.keys(INTENTS) as Array<keyof typeof INTENTS>) {
    const intentOf: IntentOf = INTENTS[event];
    app.on(event, (context) => timed(metrics, event, () => enqueue(intentOf(context.payload, context.id, triggerOptions), context.id, context.name)));
  }
}

/** Answers an intent: ignored, a control or an outsider answered in the background, or a job queued. */
function enqueuer(app: Probot, runtime: Runtime): Enqueue {
  const { queue, metrics } = runtime;
  const enqueue: Enqueue = async (intent, id, event) => {
    if (intent.kind === 'ignore') {
      // A state marker that does not parse or names another repository is worth seeing at info.
      const level = /state marker/.test(intent.reason) ? 'info' : 'debug';
      app.log[level]({ delivery: id, event, reason: intent.reason }, 'ignored');
      return;
    }
    if (intent.kind === 'control') {
      // Not queued: a stop must not wait behind the job it stops. Answered in the background.
      app.log.info({ delivery: id, event, action: intent.request.action }, 'control request');
      runtime.control(intent.request);
      return;
    }
    if (intent.kind === 'outsider') {
      // Someone whose author_association cannot hold write access: not queued; one polite refusal at
      // most in a while, in the background, unless GitHub says they may act after all (a private
      // membership the payload cannot see). Everyone else's permission is checked by the worker.
      app.log.info({ delivery: id, event, association: intent.request.association }, 'outsider: not queued');
      const request = intent.intent;
      runtime.refuse(intent.request, () => enqueue(request, id, event));
      return;
    }
    // A candidate (maybe the repository's own label or command) is checked by the worker, which reads
    // .github/issuesmith.yml; the handler makes no API call.
    const result = await queue.enqueue(intent.job);
    metrics.enqueued(result);
    if (!result.accepted) {
      app.log.info({ delivery: id, event }, 'delivery already seen: not run again');
      return;
    }
    app.log.info({ delivery: id, event, position: result.position }, 'queued');
    // A candidate shows nothing until the worker knows it is a request of this repository; a cleanup or automatic work has nobody waiting.
    if (intent.kind !== 'candidate' && intent.kind !== 'cleanup' && intent.kind !== 'automatic') runtime.acknowledge(intent.job, result.position);
  };
  return enqueue;
}

function appIdOf(text: string | undefined): { appId?: number } {
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? { appId: id } : {};
}

async function timed(metrics: Metrics, event: string, fn: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await fn();
  } finally {
    metrics.webhookHandled(event, (performance.now() - started) / 1000);
  }
}

/** GET /metrics: the Prometheus text. */
function metricsRoute(metrics: Metrics): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return false;
    void metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable\n');
      },
    );
    return true;
  };
}

/**
 * GET /healthz: the role, the queue's counts, the sandbox provider and what its start-up check found
 * of the agents' templates (missing ones with the command that builds them), or 503 when the queue
 * does not answer. A missing template leaves the app healthy: its jobs are answered with the fix.
 */
function healthRoute(runtime: Runtime): RouteHandler {
  const { queue, settings } = runtime;
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') return false;
    void queue.stats().then(
      (stats) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const templates = runtime.sandboxes?.templateStatus?.() ?? null;
        res.end(JSON.stringify({ status: 'ok', role: settings.role, queue: stats, sandbox: runtime.sandboxes?.name ?? null, templates }));
      },
      () => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'queue unavailable' }));
      },
    );
    return true;
  };
}
