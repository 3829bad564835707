import { ValidationError } from '#core';
import { WebhookTargetRefused, type WebhookTargetGuard } from '#webhooks';

/**
 * A webhook URL as it will be called, after the same target check every delivery makes;
 * a refused one is a 400 with the refusal at `pointer` (where the URL sits in the request).
 */
export async function checkedWebhookUrl(guard: WebhookTargetGuard, raw: string, pointer: string): Promise<string> {
  try {
    return (await guard.check(raw)).url.href;
  } catch (err) {
    if (err instanceof WebhookTargetRefused) throw new ValidationError(`The webhook URL is refused: ${err.message}`, [{ pointer, detail: err.message }]);
    throw err;
  }
}
