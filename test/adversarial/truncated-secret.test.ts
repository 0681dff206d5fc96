import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { claude } from '../../src/agents/claude.js';
import { createTextParser } from '../../src/agents/output-formats.js';
import { BotIdentityCache } from '../../src/github/bot-identity.js';
import { JobGitHub } from '../../src/github/job-github.js';
import type { Octokit } from '../../src/github/octokit.js';
import { PermissionCache } from '../../src/github/permission.js';
import { JobReporter } from '../../src/jobs/reporter.js';
import { TailBuffer } from '../../src/jobs/steps/run-agent.js';
import { Redactor } from '../../src/security/redact.js';
import { makeJob } from '../helpers/jobs.js';
import { useStrictNock } from '../helpers/nock-harness.js';
import { testProbot } from '../helpers/probot.js';

// A configured secret with no well-known token shape: only the redactor's list of values catches it.
const SECRET = 'zq81Kv-mistral-Xr0c9Tq4-LmW2pB7sD5-0042';
const PREFIX = SECRET.slice(0, 12);
const SUFFIX = SECRET.slice(-12);
const API = 'https://api.github.com';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A Bash tool call in Claude Code's stream-json, as the agent prints it. */
function bashLine(command: string): string {
  return JSON.stringify({
    type: 'assistant',
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-8', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command } }] },
    session_id: 's',
  });
}

function writeLine(path: string): string {
  return JSON.stringify({
    type: 'assistant',
    message: {
      id: 'msg_2',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-8',
      content: [{ type: 'tool_use', id: 'toolu_2', name: 'Write', input: { file_path: path, content: 'x' } }],
    },
    session_id: 's',
  });
}

describe('a secret that sits across the point where a status line is cut', () => {
  useStrictNock();
  const bodies: string[] = [];
  afterEach(() => {
    bodies.length = 0;
  });

  /** GitHub for the status comment and the check run, every request body kept. */
  function github(): void {
    const keep = (body: unknown): boolean => {
      bodies.push(JSON.stringify(body));
      return true;
    };
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 'ghs_installationtoken000000000000000000', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    nock(API).get('/repos/o/r/issues/1/comments').query(true).reply(200, []);
    nock(API).post('/repos/o/r/issues/1/comments', keep).reply(201, { id: 11, html_url: 'https://github.com/o/r/issues/1#issuecomment-11' });
    nock(API).persist().patch('/repos/o/r/issues/comments/11', keep).reply(200, {});
    nock(API).post('/repos/o/r/check-runs', keep).reply(201, { id: 21 });
    nock(API).persist().patch('/repos/o/r/check-runs/21', keep).reply(200, {});
  }

  async function reporter(): Promise<JobReporter> {
    const probot = testProbot(API);
    const [installation, app] = [(await probot.auth(1)) as Octokit, (await probot.auth()) as Octokit];
    const job = makeJob({ owner: 'o', repo: 'r', number: 1 });
    const redactor = new Redactor([SECRET]);
    const gh = new JobGitHub(job, installation, app, redactor, new PermissionCache(), new BotIdentityCache());
    return new JobReporter({ github: gh, job, command: '/agent', attempt: 1, agent: 'Claude Code', log: silent, minIntervalMs: 0, redactor });
  }

  function expectNoPart(): void {
    const all = bodies.join('\n');
    expect(bodies.length).toBeGreaterThan(0);
    expect(all).not.toContain(PREFIX);
    expect(all).not.toContain(SUFFIX);
  }

  it('a Bash command whose secret crosses the old 100-character cut leaks no prefix of it', async () => {
    github();
    const r = await reporter();
    await r.start();
    r.checkRun('a'.repeat(40));
    r.phase('working');
    // The secret starts at character 80 of the command: a cut at 100 before redacting keeps 19 of its characters.
    const command = `curl -sS https://api.example.invalid/v1/models/long-name -o /dev/null -H 'k: ${SECRET}' -d '{}'`;
    expect(command.indexOf(SECRET)).toBe(77);
    for (const e of claude.parse(bashLine(command))) r.event(e);
    await r.finish({ kind: 'no-changes', summary: 'done', stats: { durationMs: 1, inputTokens: 1, outputTokens: 1 } });
    expect(bodies.some((b) => b.includes('Ran'))).toBe(true);
    expectNoPart();
  });

  it("a file path whose secret crosses the step line's 160-character cut leaks no prefix of it", async () => {
    github();
    const r = await reporter();
    await r.start();
    r.checkRun('a'.repeat(40));
    r.phase('working');
    const path = `/home/user/repo/${'deeply/nested/'.repeat(9)}${SECRET}.txt`;
    for (const e of claude.parse(writeLine(path))) r.event(e);
    await r.finish({ kind: 'no-changes', summary: 'done', stats: { durationMs: 1, inputTokens: 1, outputTokens: 1 } });
    expect(bodies.some((b) => b.includes('Edited'))).toBe(true);
    expectNoPart();
  });

  it("an agent's error message whose secret crosses the 120-character cut leaks no prefix of it", async () => {
    github();
    const r = await reporter();
    await r.start();
    r.checkRun('a'.repeat(40));
    r.phase('working');
    r.event({ type: 'error', message: `request to https://api.example.invalid/v1/chat/completions failed with 401 for key ${SECRET} (rotate it)` });
    await r.finish({ kind: 'no-changes', summary: 'done', stats: { durationMs: 1, inputTokens: 1, outputTokens: 1 } });
    expect(bodies.some((b) => b.includes('Error:'))).toBe(true);
    expectNoPart();
  });

  it('the last lines of a long output keep no piece of a line cut in the middle of a secret', () => {
    const tail = new TailBuffer(40);
    // The 32 000-character window the buffer keeps begins inside the secret, on a line of its own.
    tail.push(`${'x'.repeat(40_000 - 20)}${SECRET}\n`);
    tail.push(`${'y'.repeat(24_000)}`);
    tail.push(`${'z'.repeat(10)}\nend\n`);
    expect(tail.text()).not.toContain(SUFFIX);
    expect(tail.text()).toContain('end');
  });

  it("a custom agent's text summary keeps whole lines only", () => {
    const parser = createTextParser();
    parser.line(`${'w'.repeat(3990 - 25)} ${SECRET}`);
    parser.line('finished');
    const [result] = parser.end();
    expect(JSON.stringify(result)).not.toContain(SUFFIX);
    expect(result).toMatchObject({ type: 'result', summary: 'finished' });
  });
});
