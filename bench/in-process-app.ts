import { pino } from 'pino';
import { Probot } from 'probot';
import { appOctokit } from '../src/github/app-octokit.js';
import issuesmith from '../src/index.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { LocalSandboxProvider } from '../src/sandbox/local.js';
import { privateKey } from '../test/helpers/probot.js';

/**
 * The app in this process as deployed: its own throttled Octokit (Probot's write pacing on), a real
 * webhook secret, the local sandbox with the fake agents on `path`, against the fake GitHub at `apiUrl`.
 */
export function inProcessApp(o: { apiUrl: string; work: string; path: string; anthropicKey: string }): { probot: Probot; runtime: Runtime } {
  const probot = new Probot({
    appId: 123,
    privateKey: privateKey(),
    // As a deployment must: never Probot's public default secret.
    secret: 'bench-webhook-secret',
    baseUrl: o.apiUrl,
    log: pino({ level: 'silent' }),
    Octokit: appOctokit(),
  });
  const runtime = createRuntime(
    probot,
    { ANTHROPIC_API_KEY: o.anthropicKey, ISSUESMITH_WORK_DIR: o.work },
    { sandboxes: new LocalSandboxProvider({ path: o.path, root: o.work }) },
  );
  issuesmith(probot, {}, runtime);
  return { probot, runtime };
}
