import Replicate from 'replicate';
import { parseRetryAfter } from '../lib/backoff.js';
import { sleep } from '../lib/sleep.js';
import { GenerationError } from './errors.js';

export type AspectRatio = '1:1' | '4:5' | '9:16';

export interface ImageOptions {
  apiToken: string;
  baseUrl: string;
  model: string;
  /**
   * Our own deadline: the SDK's wait() never gives up on `aborted`
   * (docs/platforms/replicate.md#prediction-lifecycle).
   */
  deadlineMs: number;
  pollMs: number;
}

interface Prediction {
  id: string;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';
  output: unknown;
  error: unknown;
}

/**
 * Images through the replicate client: create a prediction, then poll it ourselves until our
 * deadline (the client's run() can return an unfinished null, and its 429 handling does not
 * wait), asking for JPEG (Instagram takes nothing else). Returns the output URL, which expires in
 * an hour: the caller downloads it at once.
 */
export class ReplicateImages {
  private readonly client: Replicate;

  constructor(private readonly options: ImageOptions) {
    this.client = new Replicate({ auth: options.apiToken, baseUrl: options.baseUrl, useFileOutput: false });
  }

  get model(): string {
    return this.options.model;
  }

  async generate(prompt: string, aspectRatio: AspectRatio): Promise<string> {
    const [owner, rest] = this.options.model.split('/') as [string, string];
    const [name, version] = rest.split(':') as [string, string | undefined];
    const input = { prompt, aspect_ratio: aspectRatio, output_format: 'jpg', num_outputs: 1, output_quality: 90 };
    const deadline = Date.now() + this.options.deadlineMs;
    let prediction: Prediction | null = null;
    while (!prediction) {
      try {
        prediction = (await this.client.predictions.create(
          version ? { version, input } : { model: `${owner}/${name}`, input },
        )) as unknown as Prediction;
      } catch (err) {
        const status = (err as { response?: Response }).response?.status;
        if (status === 429 && Date.now() < deadline) {
          await sleep(
            Math.min(
              parseRetryAfter((err as { response?: Response }).response?.headers.get('retry-after')) ?? 10_000,
              Math.max(0, deadline - Date.now()),
            ),
          );
          continue;
        }
        if (status === 401 || status === 403)
          throw new GenerationError('Replicate refused REPLICATE_API_TOKEN: check the token.', false);
        if (status === 404 || status === 422)
          throw new GenerationError(
            `Replicate does not accept the model ${this.options.model}: check REPLICATE_IMAGE_MODEL.`,
            false,
          );
        throw new GenerationError(
          `Replicate is not answering properly (${status ?? (err as Error).message}); trying again later.`,
          true,
        );
      }
    }
    while (prediction.status === 'starting' || prediction.status === 'processing') {
      if (Date.now() > deadline) {
        void this.client.predictions.cancel(prediction.id).catch(() => undefined);
        throw new GenerationError(
          `The image took longer than ${Math.round(this.options.deadlineMs / 1000)} s; it was cancelled.`,
          true,
        );
      }
      await sleep(this.options.pollMs);
      try {
        prediction = (await this.client.predictions.get(prediction.id)) as unknown as Prediction;
      } catch {
        // A failed poll is not a failed image: ask again until the deadline.
      }
    }
    if (prediction.status !== 'succeeded') {
      const why =
        prediction.status === 'failed'
          ? `failed: ${String(prediction.error ?? 'no reason given')}`
          : `stopped (${prediction.status})`;
      throw new GenerationError(`The image model ${why}.`, true);
    }
    const output = Array.isArray(prediction.output) ? prediction.output[0] : prediction.output;
    if (typeof output !== 'string') throw new GenerationError('The image model returned no image.', true);
    return output;
  }
}
