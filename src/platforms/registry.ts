import type { Platform } from '../domain/platform-limits.js';
import type { Publisher } from './types.js';

/** The publishers by platform; registering one twice is a wiring mistake and refused. */
export class PublisherRegistry {
  private readonly publishers = new Map<Platform, Publisher>();

  register(publisher: Publisher): this {
    if (this.publishers.has(publisher.platform))
      throw new Error(`a publisher for ${publisher.platform} is already registered`);
    this.publishers.set(publisher.platform, publisher);
    return this;
  }

  get(platform: Platform): Publisher | undefined {
    return this.publishers.get(platform);
  }
}
