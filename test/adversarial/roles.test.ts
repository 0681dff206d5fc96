import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessRules } from '../../src/access/access-rules.js';
import { authorize } from '../../src/access/authorize.js';
import type { Permission } from '../../src/access/has-permission.js';
import { OWN_COMMENT_MARKER } from '../../src/access/is-own-comment.js';
import { renderStateMarker } from '../../src/github/state-marker.js';
import issuesmith from '../../src/index.js';
import type { Job } from '../../src/job.js';
import type { WorkerOutcome } from '../../src/jobs/worker.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import type { SandboxProvider } from '../../src/sandbox/provider.js';
import {
  intentFromCheckRunAction,
  intentFromComment,
  intentFromLabel,
  intentFromPullRequestClosed,
  intentFromReview,
  intentFromReviewComment,
  type Intent,
  type TriggerOptions,
} from '../../src/triggers/intent.js';
import { MockGitHubApi } from '../helpers/github-api.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { commentPayload, labeledPayload, pullClosedPayload, pullCommentPayload, reviewCommentPayload, reviewPayload } from '../helpers/payloads.js';
import { testProbot } from '../helpers/probot.js';

// Who may act, cell by cell: every role against every way of asking the app, under the repository's
// rules. Each cell goes through the real trigger function of its webhook and, when the trigger hands
// it on, the real authorize() with a permission source that answers as GitHub would for that role.

type Role = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin' | 'bot' | 'app' | 'fork';
type Action = 'label' | 'issue' | 'pr' | 'line' | 'review' | 'stop' | 'status' | 'button' | 'closed';
/**
 * ok: allowed. perm / list: refused by the worker (or the control) for the role, or for allowed_users.
 * outsider: refused at the webhook from the payload's author_association, never queued.
 * drop: ignored by the trigger (a bot, the app's own comment). clean: the app's own pull request
 * closed, its sandbox and session go (housekeeping, nobody to authorize). failed: the permission API failed.
 */
type Answer = 'ok' | 'perm' | 'list' | 'outsider' | 'drop' | 'clean' | 'failed';

const PEOPLE: Record<Role, { login: string; type: 'User' | 'Bot'; association: string; permission: Permission }> = {
  none: { login: 'nobody', type: 'User', association: 'NONE', permission: 'none' },
  read: { login: 'reader', type: 'User', association: 'COLLABORATOR', permission: 'read' },
  triage: { login: 'triager', type: 'User', association: 'COLLABORATOR', permission: 'triage' },
  write: { login: 'writer', type: 'User', association: 'COLLABORATOR', permission: 'write' },
  maintain: { login: 'maintainer', type: 'User', association: 'MEMBER', permission: 'maintain' },
  admin: { login: 'Codertocat', type: 'User', association: 'OWNER', permission: 'admin' },
  // A bot may well hold write access: it is still never obeyed.
  bot: { login: 'renovate[bot]', type: 'Bot', association: 'NONE', permission: 'write' },
  app: { login: 'issuesmith[bot]', type: 'Bot', association: 'NONE', permission: 'write' },
  // The author of a pull request from a fork, on a public repository: read access, a contributor at most.
  fork: { login: 'forker', type: 'User', association: 'CONTRIBUTOR', permission: 'read' },
};

const RULES: Record<'default' | 'admin-only' | 'listed', AccessRules> = {
  default: { permission: 'write', allowedUsers: undefined },
  'admin-only': { permission: 'admin', allowedUsers: undefined },
  listed: { permission: 'write', allowedUsers: ['someone-else'] },
};

const ACTIONS: Action[] = ['label', 'issue', 'pr', 'line', 'review', 'stop', 'status', 'button', 'closed'];

// prettier-ignore
const TABLE: Record<keyof typeof RULES, Record<Role, Answer[]>> = {
  //               label       issue       pr          line        review      stop        status      button   closed
  default: {
    none:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
    read:     ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    triage:   ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    write:    ['ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',    'clean'],
    maintain: ['ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',    'clean'],
    admin:    ['ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',    'clean'],
    bot:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    app:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    fork:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
  },
  'admin-only': {
    none:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
    read:     ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    triage:   ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    write:    ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    maintain: ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    admin:    ['ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',       'ok',    'clean'],
    bot:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    app:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    fork:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
  },
  listed: {
    none:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
    read:     ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    triage:   ['perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',     'perm',  'clean'],
    write:    ['list',     'list',     'list',     'list',     'list',     'list',     'list',     'list',  'clean'],
    maintain: ['list',     'list',     'list',     'list',     'list',     'list',     'list',     'list',  'clean'],
    admin:    ['list',     'list',     'list',     'list',     'list',     'list',     'list',     'list',  'clean'],
    bot:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    app:      ['drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',     'drop',  'clean'],
    fork:     ['perm',     'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'outsider', 'perm',  'clean'],
  },
};

const STATE_KEY = new TextEncoder().encode('roles-table-state-key-0123456789abcdef');
const options: TriggerOptions = { defaultProfile: 'claude', isProfile: (w) => w === 'claude', labelPrefix: 'agent', command: '/agent', stateKey: STATE_KEY };
const BRANCH = 'issuesmith/1-x';
const MARKER = renderStateMarker(
  { v: 1, repo: 'Codertocat/Hello-World', issue: 1, profile: 'claude', branch: BRANCH, session: 's-1', sandbox: 'sbx-1', turns: 1 },
  { key: STATE_KEY, installation: 1, repo: 'Codertocat/Hello-World' },
);

/** The webhook of one action by one role, as GitHub would send it, through its trigger function. */
function intentOf(role: Role, action: Action): Intent {
  const p = PEOPLE[role];
  const person = { sender: p.login, senderType: p.type };
  // The app's own words carry its marker; anyone else's are plain.
  const text = (body: string): string => (role === 'app' ? `${body}\n${OWN_COMMENT_MARKER}` : body);
  const by = (payload: Record<string, unknown>): Record<string, unknown> => {
    const target = (payload.review ?? payload.comment) as Record<string, unknown>;
    target.author_association = p.association;
    (target.user as Record<string, unknown>).type = p.type;
    return payload;
  };
  switch (action) {
    case 'label':
      return intentFromLabel(labeledPayload('agent', person), 'd', options);
    case 'issue':
      return intentFromComment(by(commentPayload(text('/agent claude fix it'), person)), 'd', options);
    case 'pr':
      return intentFromComment(by(pullCommentPayload(text('/agent fix the tests'), { ...person, number: 77 })), 'd', options);
    case 'line':
      return intentFromReviewComment(by(reviewCommentPayload(text('/agent rename this'), { ...person, number: 77 })), 'd', options);
    case 'review':
      return intentFromReview(by(reviewPayload(text('/agent address these'), { ...person, number: 77 })), 'd', options);
    case 'stop':
      return intentFromComment(by(commentPayload(text('/agent stop'), person)), 'd', options);
    case 'status':
      return intentFromComment(by(commentPayload(text('/agent status'), person)), 'd', options);
    case 'button':
      return intentFromCheckRunAction(
        {
          action: 'requested_action',
          requested_action: { identifier: 'stop' },
          check_run: { external_id: '1:d-0' },
          repository: { name: 'Hello-World', owner: { login: 'Codertocat' }, default_branch: 'main' },
          sender: { login: p.login, id: 9, type: p.type },
          installation: { id: 1 },
        },
        'd',
      );
    case 'closed':
      return intentFromPullRequestClosed(pullClosedPayload({ ...person, number: 77, body: `Done.\n\n${MARKER}`, headRef: BRANCH }), 'd', options);
  }
}

async function answer(role: Role, action: Action, rules: AccessRules, failing = false): Promise<Answer> {
  const intent = intentOf(role, action);
  const source = async (login: string): Promise<Permission> => {
    if (failing) throw Object.assign(new Error('Server Error'), { status: 500 });
    return Object.values(PEOPLE).find((p) => p.login === login)?.permission ?? 'none';
  };
  const requester = ((): { login: string } | undefined => {
    switch (intent.kind) {
      case 'ignore':
        return undefined;
      case 'control':
        return intent.request.requester;
      case 'outsider':
      case 'cleanup':
      case 'candidate':
        return undefined;
      default:
        return intent.job.requester;
    }
  })();
  if (intent.kind === 'ignore') return 'drop';
  if (intent.kind === 'outsider') return 'outsider';
  if (intent.kind === 'cleanup') return 'clean';
  if (requester === undefined) throw new Error(`unexpected intent ${intent.kind} for ${role} ${action}`);
  const decision = await authorize(requester, rules, source);
  if (decision.allowed) return 'ok';
  if (decision.reason === 'not-enough-permission') return 'perm';
  if (decision.reason === 'not-in-allowed-users') return 'list';
  if (decision.reason === 'permission-lookup-failed') return 'failed';
  return 'drop';
}

describe('who may act: roles × actions × repository rules', () => {
  for (const [name, rules] of Object.entries(RULES) as Array<[keyof typeof RULES, AccessRules]>) {
    for (const role of Object.keys(PEOPLE) as Role[]) {
      it(`${name}: ${role} → ${TABLE[name][role].join(' ')}`, async () => {
        const got = await Promise.all(ACTIONS.map((a) => answer(role, a, rules)));
        expect(Object.fromEntries(ACTIONS.map((a, i) => [a, got[i]]))).toEqual(Object.fromEntries(ACTIONS.map((a, i) => [a, TABLE[name][role][i]])));
      });
    }
  }

  it('closes every door when the permission API fails: each cell that asks GitHub is refused, none is allowed', async () => {
    for (const [name, rules] of Object.entries(RULES) as Array<[keyof typeof RULES, AccessRules]>) {
      for (const role of Object.keys(PEOPLE) as Role[]) {
        const got = await Promise.all(ACTIONS.map((a) => answer(role, a, rules, true)));
        // What the table decides without GitHub stays; every cell that asked GitHub is refused.
        const expected = TABLE[name][role].map((a) => (a === 'ok' || a === 'perm' || a === 'list' ? 'failed' : a));
        expect(got, `${name} ${role}`).toEqual(expected);
      }
    }
  });
});

describe('who may act, through the app', () => {
  useStrictNock();
  const OWNER = 'Codertocat';
  const REPO = 'Hello-World';
  let probot: Probot;
  let runtime: Runtime;
  let root: string;
  let outcomes: Array<{ job: Job; outcome: WorkerOutcome }>;
  let sandboxesMade: number;
  const BASE = 'http://github.test/api/v3';

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'issuesmith-roles-'));
    probot = testProbot(BASE);
    outcomes = [];
    sandboxesMade = 0;
    const sandboxes: SandboxProvider = {
      name: 'none',
      create: () => {
        sandboxesMade += 1;
        return Promise.reject(new Error('no sandbox in these tests'));
      },
      connect: () => Promise.resolve(undefined),
      kill: () => Promise.resolve(),
      killTagged: () => Promise.resolve(0),
    } as unknown as SandboxProvider;
    runtime = createRuntime(
      probot,
      { ANTHROPIC_API_KEY: 'sk-ant-test-key-0123456789abcdef', ISSUESMITH_WORK_DIR: root },
      { sandboxes, onOutcome: (job, outcome) => outcomes.push({ job, outcome }) },
    );
    issuesmith(probot, {}, runtime);
  });

  afterEach(async () => {
    await runtime.close();
    rmSync(root, { recursive: true, force: true });
  });

  function api(o: { login: string; role?: string; config?: string; commentId?: number }): MockGitHubApi {
    return new MockGitHubApi(BASE.replace(/\/api\/v3$/, ''), {
      owner: OWNER,
      repo: REPO,
      number: 1,
      login: o.login,
      ...(o.role !== undefined ? { role: o.role } : {}),
      ...(o.commentId !== undefined ? { commentId: o.commentId } : {}),
      ...(o.config !== undefined ? { configFiles: { [`${OWNER}/${REPO}`]: o.config } } : {}),
    });
  }

  let n = 0;
  async function comment(body: string, o: { sender: string; association: string; commentId?: number }): Promise<void> {
    n += 1;
    const payload = commentPayload(body, { sender: o.sender, commentId: o.commentId ?? 5000 + n });
    (payload.comment as Record<string, unknown>).author_association = o.association;
    await probot.receive({ id: `d-roles-${n}`, name: 'issue_comment', payload } as never);
  }

  async function button(sender: string): Promise<void> {
    n += 1;
    const payload = {
      action: 'requested_action',
      requested_action: { identifier: 'stop' },
      check_run: { id: 8001, external_id: '1:d-some-job', head_sha: 'a'.repeat(40) },
      repository: { name: REPO, owner: { login: OWNER }, default_branch: 'main' },
      sender: { login: sender, id: 77, type: 'User' },
      installation: { id: 1 },
    };
    await probot.receive({ id: `d-roles-${n}`, name: 'check_run', payload } as never);
  }

  it('a stranger flooding an issue with /agent gets one reply after one permission lookup, and nothing is queued', async () => {
    // One token, one lookup, one comment: the strict harness fails on any other call.
    const mock = api({ login: 'stranger', role: 'none' }).installationToken().permission().comment();
    for (let i = 0; i < 5; i++) await comment(`/agent claude do my homework ${i}`, { sender: 'stranger', association: 'NONE' });
    await comment('/agent stop', { sender: 'stranger', association: 'FIRST_TIME_CONTRIBUTOR' });
    await comment('/agent help', { sender: 'stranger', association: 'NONE' });
    await runtime.settled();
    expect(mock.record.comments).toEqual([expect.stringContaining('Sorry @stranger, only people with write access to this repository can ask the agent to work.')]);
    expect(outcomes).toEqual([]);
    expect(await runtime.queue.stats()).toMatchObject({ waiting: 0, running: 0 });
    expect(sandboxesMade).toBe(0);
  });

  it('a maintainer whose private organisation membership the payload shows as CONTRIBUTOR is not refused', async () => {
    const mock = api({ login: 'hidden-maintainer', role: 'maintain' }).installationToken().permission().comment();
    await comment('/agent status', { sender: 'hidden-maintainer', association: 'CONTRIBUTOR' });
    await runtime.settled();
    expect(mock.record.comments).toEqual([expect.stringContaining('Nothing')]);
    expect(mock.record.comments[0]).not.toContain('Sorry');
  });

  it('a reader who passes the pre-filter is refused by the worker, and answered once however often they ask', async () => {
    const mock = api({ login: 'reader', role: 'read' }).installationToken().permission().comment();
    for (let i = 0; i < 3; i++) await comment(`/agent claude try ${i}`, { sender: 'reader', association: 'COLLABORATOR' });
    await runtime.settled();
    expect(outcomes.map((o) => o.outcome)).toEqual([
      { kind: 'refused', reason: 'not-enough-permission' },
      { kind: 'refused', reason: 'not-enough-permission' },
      { kind: 'refused', reason: 'not-enough-permission' },
    ]);
    expect(mock.record.comments).toEqual([expect.stringContaining('Sorry @reader, only people with write access')]);
    expect(sandboxesMade).toBe(0);
  });

  it('a failing permission API refuses the job with a polite reply: no reaction, no sandbox', async () => {
    const mock = api({ login: 'writer' }).installationToken().comment().noQueuedStatus();
    mock.scope.get(`${mock.repoPath}/collaborators/writer/permission`).reply(500, { message: 'Server Error' });
    await comment('/agent claude fix it', { sender: 'writer', association: 'COLLABORATOR' });
    await runtime.settled();
    expect(outcomes.map((o) => o.outcome)).toEqual([{ kind: 'refused', reason: 'permission-lookup-failed' }]);
    expect(mock.record.comments).toEqual([expect.stringContaining('GitHub could not tell the app your role on this repository just now, so nothing was started')]);
    expect(mock.record.reactions).toEqual([]);
    expect(sandboxesMade).toBe(0);
  });

  it('a failing permission API refuses /agent stop and the Stop button: nothing is stopped', async () => {
    const mock = api({ login: 'writer' }).installationToken().comment();
    mock.scope.get(`${mock.repoPath}/collaborators/writer/permission`).times(2).reply(500, { message: 'Server Error' });
    await comment('/agent stop', { sender: 'writer', association: 'COLLABORATOR' });
    await runtime.settled();
    // An error is not remembered: the button asks GitHub again, and is refused again.
    await button('writer');
    await runtime.settled();
    // The first refusal is answered; the second, seconds later, is only logged.
    expect(mock.record.comments).toEqual([expect.stringContaining('so nothing was stopped')]);
  });

  it("applies the repository's permission: admin to /agent status from a maintainer", async () => {
    const mock = api({ login: 'maintainer', role: 'maintain', config: 'permission: admin\n' }).installationToken().permission().comment();
    await comment('/agent status', { sender: 'maintainer', association: 'MEMBER' });
    await runtime.settled();
    expect(mock.record.comments).toEqual([expect.stringContaining("Sorry @maintainer, only people with admin access to this repository can see the agent's queue.")]);
    expect(mock.record.configReads).toEqual([`${OWNER}/${REPO}`]);
  });

  it("applies the repository's allowed_users to the Stop button of an admin not on the list", async () => {
    const mock = api({ login: 'Codertocat', role: 'admin', config: 'allowed_users: [someone-else]\n' }).installationToken().permission().comment();
    await button('Codertocat');
    await runtime.settled();
    expect(mock.record.comments).toEqual([expect.stringContaining('only lets the people listed in `allowed_users`')]);
    expect(mock.record.comments[0]).toContain('stop the agent');
  });

  it('lets an admin see the queue under the default rules', async () => {
    const mock = api({ login: 'Codertocat', role: 'admin' }).installationToken().permission().comment();
    await comment('/agent status', { sender: 'Codertocat', association: 'OWNER' });
    await runtime.settled();
    expect(mock.record.comments).toEqual([expect.stringContaining('Nothing')]);
  });
});
