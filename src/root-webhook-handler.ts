import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Probot } from 'probot';

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * Probot's setup page registers the app with the webhook URL `<base>/` (its manifest's `hook_attributes`
 * cannot be set from app.yml, which knows no base URL), while Probot serves deliveries only at
 * `WEBHOOK_PATH`. A POST to `/` goes to the same webhooks, through the same middleware: the signature
 * is checked and the handlers run exactly as at the webhook path. Anything else at `/` passes on.
 */
export async function rootWebhookHandler(app: Probot): Promise<Handler> {
  const middleware = await app.getNodeMiddleware({ path: '/' });
  return async (req, res) => {
    if (req.method !== 'POST' || pathOf(req.url) !== '/') return false;
    return (await middleware(req, res)) === true;
  };
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
