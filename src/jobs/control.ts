// worker.ts still imports appRedactor from here; once its import names config/app-redactor.ts, this file goes.
export { appRedactor } from '../config/app-redactor.js';
