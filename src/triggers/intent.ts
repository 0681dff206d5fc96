// What a webhook asks of the app: the intent types and one parser per webhook kind, each in its own file.
export type { ActionableIntent, ControlRequest, Intent, OutsiderRequest, TriggerOptions } from './intent-types.js';
export { intentFromCheckRunAction } from './check-run-intent.js';
export { intentFromCheckSuite } from './check-suite-intent.js';
export { intentFromComment } from './comment-intent.js';
export { intentFromPullRequestClosed } from './closed-pull-request-intent.js';
export { intentFromLabel } from './label-intent.js';
export { intentFromReview, intentFromReviewComment } from './review-intent.js';
