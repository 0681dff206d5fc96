import type { Settings } from '../../config/settings.js';
import { renderStateMarker, type PullRequestState, type StateSeal } from '../../github/state-marker.js';
import type { Job } from '../../job.js';

/** What this job's state markers are signed with and for: the app's key, its installation and repository. */
export function stateSeal(job: Pick<Job, 'installationId' | 'owner' | 'repo'>, settings: Pick<Settings, 'stateKey'>): StateSeal {
  return { key: settings.stateKey, installation: job.installationId, repo: `${job.owner}/${job.repo}` };
}

/** The signed marker a pull request body keeps for the next turn. */
export function stateMarkerFor(job: Job, settings: Pick<Settings, 'stateKey'>, state: Omit<PullRequestState, 'v' | 'repo'>): string {
  return renderStateMarker({ v: 1, repo: `${job.owner}/${job.repo}`, ...state }, stateSeal(job, settings));
}
