// Who among the webhook endpoints and chat channels hears of an event: those whose event filter
// wants its type, agency-wide ones for every client, a client's own only for that client. A
// channel is never told about its own pause (it is the one not listening), nor about what happened
// before it was added.
import type { Repos } from '../db/repos/index.js';
import { type EventType, wantsEvent } from '../domain/events.js';
import type { Router } from './channel.js';

export function channelsRouter(repos: Repos): Router {
  return {
    name: 'channels',
    route(event, now) {
      const type = event.type as EventType;
      return repos.notify
        .listChannels()
        .filter(
          (channel) =>
            // A channel added today is not sent what happened before it existed.
            event.createdAt >= channel.createdAt &&
            wantsEvent(channel.events, type) &&
            (channel.clientId === null || channel.clientId === event.clientId) &&
            !(type === 'channel.paused' && event.data.channelId === channel.id),
        )
        .map((channel) => ({ channel: channel.kind, target: channel.id, dueAt: now }));
    },
  };
}
