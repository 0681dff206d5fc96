/**
 * An error the maintainer can fix (bad input, missing key, no permission). Its message is written for
 * them and is posted on the issue as it is; anything else is reported as an internal failure.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
