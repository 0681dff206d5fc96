import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Probot } from 'probot';
import { appOctokit } from '../src/github/app-octokit.js';
import issuesmith from '../src/index.js';
import { createRuntime } from '../src/runtime.js';
import { commentPayload } from '../test/helpers/payloads.js';
import { privateKey } from '../test/helpers/probot.js';

const DELIVERIES = 4000;
const ROUNDS = 5;

/**
 * CPU per plain comment handed to Probot in this process (`probot.receive`: no HTTP, no signature),
 * for the app's handlers and for an empty handler, both on the app's Octokit class: the handlers' own
 * cost, apart from everything a process adds. Rounds alternate between the two; the median is kept.
 */
export async function handlerCost(): Promise<{ appUs: number; bareUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'issuesmith-bench-handler-'));
  const probot = (): Probot =>
    new Probot({ appId: 123, privateKey: privateKey(), secret: 'bench', baseUrl: 'http://127.0.0.1:9/api/v3', log: pino({ level: 'silent' }), Octokit: appOctokit() });
  const app = probot();
  const runtime = createRuntime(app, { ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789abcdef', ISSUESMITH_WORK_DIR: dir });
  issuesmith(app, {}, runtime);
  const bare = probot();
  bare.on('issue_comment.created', async () => undefined);
  let serial = 0;
  const round = async (p: Probot): Promise<number> => {
    const payloads = Array.from(
      { length: DELIVERIES },
      () => ((serial += 1), commentPayload(`Looks good to me, thanks! (${serial})`, { number: 1 + (serial % 100), commentId: serial })),
    );
    const before = process.cpuUsage();
    for (const [i, payload] of payloads.entries()) await p.receive({ id: `bench-handler-${serial}-${i}`, name: 'issue_comment', payload } as never);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / DELIVERIES;
  };
  try {
    await round(app);
    await round(bare);
    const times = { app: [] as number[], bare: [] as number[] };
    for (let r = 0; r < ROUNDS; r += 1) {
      times.app.push(await round(app));
      times.bare.push(await round(bare));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    return { appUs: median(times.app), bareUs: median(times.bare) };
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
