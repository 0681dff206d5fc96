import type { Octokit } from './octokit.js';

/** A check run of a commit, with the fields `fix ci` reads. */
export interface CheckRunInfo {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  /** The app that created it (its slug): `github-actions` for an Actions job, whose check run id is the job id. */
  app: string;
  title: string;
  summary: string;
  text: string;
  annotationsCount: number;
}

/** A check suite of a commit: one app's check runs there. */
export interface CheckSuiteInfo {
  id: number;
  status: string;
  conclusion: string | null;
  app: string;
  runs: number;
}

export interface AnnotationInfo {
  path: string;
  line: number | null;
  level: string;
  message: string;
}

/**
 * The Checks and Actions APIs of one repository, for `fix ci`: the check runs and suites of a commit,
 * a run's annotations, and an Actions job's log. Reads only.
 */
export class CiGitHub {
  constructor(
    private readonly installation: Octokit,
    private readonly owner: string,
    private readonly repo: string,
    /** The REST API's base; only a download on its own host gets the installation token. */
    private readonly baseUrl: string,
  ) {}

  /** Every check run of the commit (the latest of each name), every page. */
  async checkRuns(sha: string): Promise<CheckRunInfo[]> {
    const runs = await this.installation.paginate(this.installation.rest.checks.listForRef, { owner: this.owner, repo: this.repo, ref: sha, filter: 'latest', per_page: 100 });
    return runs.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      conclusion: r.conclusion ?? null,
      app: r.app?.slug ?? '',
      title: r.output.title ?? '',
      summary: r.output.summary ?? '',
      text: r.output.text ?? '',
      annotationsCount: r.output.annotations_count,
    }));
  }

  /** Every check suite of the commit, every page. */
  async checkSuites(sha: string): Promise<CheckSuiteInfo[]> {
    const suites = await this.installation.paginate(this.installation.rest.checks.listSuitesForRef, { owner: this.owner, repo: this.repo, ref: sha, per_page: 100 });
    return suites.map((s) => ({ id: s.id, status: s.status ?? '', conclusion: s.conclusion ?? null, app: s.app?.slug ?? '', runs: s.latest_check_runs_count ?? 0 }));
  }

  /** The first `max` annotations of a check run (one page). */
  async annotations(checkRunId: number, max: number): Promise<AnnotationInfo[]> {
    const { data } = await this.installation.rest.checks.listAnnotations({ owner: this.owner, repo: this.repo, check_run_id: checkRunId, per_page: Math.min(100, max) });
    return data.slice(0, max).map((a) => ({ path: a.path, line: a.start_line ?? null, level: a.annotation_level ?? '', message: a.message ?? '' }));
  }

  /**
   * Streams an Actions job's log into `sink`, at most `maxBytes` of it (then `truncated`). GitHub
   * answers with a redirect to a short-lived download address: the installation token goes along only
   * when that address is on the API's own host; anywhere else it is downloaded without credentials.
   */
  async jobLog(jobId: number, sink: (text: string) => void, o: { maxBytes: number; timeoutMs: number }): Promise<{ truncated: boolean }> {
    const signal = AbortSignal.timeout(o.timeoutMs);
    const res = await this.installation.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
      owner: this.owner,
      repo: this.repo,
      job_id: jobId,
      request: { redirect: 'manual', parseSuccessResponseBody: false, signal },
    });
    const status = res.status as number;
    if (status === 200) return readText(res.data as unknown as ReadableStream<Uint8Array> | null, sink, o.maxBytes);
    let location = String(res.headers.location ?? '');
    let from = new URL(this.baseUrl);
    for (let hop = 0; hop < 4; hop++) {
      if (location === '') throw new Error(`the log answer was ${status} without an address`);
      const target = new URL(location, from);
      const api = new URL(this.baseUrl);
      const ownHost = target.origin === api.origin;
      // Plain http only where the API itself is served that way (a test or a private GHES).
      if (target.protocol !== 'https:' && !(target.protocol === 'http:' && api.protocol === 'http:')) throw new Error(`the log address uses ${target.protocol}`);
      const headers: Record<string, string> = ownHost ? { authorization: `token ${await this.#token()}` } : {};
      const r = await fetch(target, { headers, redirect: 'manual', signal });
      if (r.status >= 300 && r.status < 400) {
        await r.body?.cancel();
        location = r.headers.get('location') ?? '';
        from = target;
        continue;
      }
      if (!r.ok) {
        await r.body?.cancel();
        throw new Error(`the log download answered ${r.status}`);
      }
      return readText(r.body, sink, o.maxBytes);
    }
    throw new Error('the log download redirected too often');
  }

  async #token(): Promise<string> {
    const auth = (await this.installation.auth({ type: 'installation' })) as { token?: string };
    if (auth.token === undefined) throw new Error('no installation token for the log download');
    return auth.token;
  }
}

async function readText(body: ReadableStream<Uint8Array> | null, sink: (text: string) => void, maxBytes: number): Promise<{ truncated: boolean }> {
  if (body === null) return { truncated: false };
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - read;
    const chunk = value.byteLength > room ? value.subarray(0, room) : value;
    read += chunk.byteLength;
    sink(decoder.decode(chunk, { stream: true }));
    if (read >= maxBytes) {
      await reader.cancel();
      return { truncated: true };
    }
  }
  sink(decoder.decode());
  return { truncated: false };
}
