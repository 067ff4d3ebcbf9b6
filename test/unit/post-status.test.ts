import { describe, expect, it } from 'vitest';
import { publishAttempts } from '../../src/db/schema/index.js';
import { ConflictError } from '../../src/domain/errors.js';
import {
  ATTEMPT_OUTCOMES,
  availableActions,
  canTransition,
  dueAtOf,
  nextStatus,
  POST_STATUSES,
  transition,
  type PostEvent,
} from '../../src/domain/post-status.js';

describe('post status transitions', () => {
  it.each<[string, PostEvent, string]>([
    ['draft', 'submit', 'pending_approval'],
    ['draft', 'approve', 'scheduled'],
    ['pending_approval', 'approve', 'scheduled'],
    ['pending_approval', 'reject', 'rejected'],
    ['pending_approval', 'miss', 'missed'],
    ['scheduled', 'claim', 'publishing'],
    ['scheduled', 'revise', 'pending_approval'],
    ['publishing', 'published', 'published'],
    ['publishing', 'unconfirmed', 'unconfirmed'],
    ['publishing', 'deferred', 'scheduled'],
    ['publishing', 'abandoned', 'scheduled'],
    ['publishing', 'failed', 'failed'],
    ['unconfirmed', 'published', 'published'],
    ['unconfirmed', 'absent', 'scheduled'],
    ['failed', 'retry', 'scheduled'],
    ['missed', 'retry', 'scheduled'],
    ['rejected', 'submit', 'pending_approval'],
  ])('%s --%s--> %s', (from, event, to) => {
    expect(transition(from as never, event)).toBe(to);
  });

  it('never leaves published or cancelled', () => {
    const events: PostEvent[] = [
      'submit',
      'approve',
      'reject',
      'revise',
      'cancel',
      'retry',
      'claim',
      'miss',
      ...ATTEMPT_OUTCOMES,
    ];
    for (const event of events) {
      expect(nextStatus('published', event)).toBeNull();
      expect(nextStatus('cancelled', event)).toBeNull();
    }
  });

  it('only the engine can move a post out of publishing', () => {
    expect(canTransition('publishing', 'cancel')).toBe(false);
    expect(canTransition('publishing', 'retry')).toBe(false);
    expect(canTransition('publishing', 'approve')).toBe(false);
  });

  it('a lost send never goes straight back to the queue without proof or a person', () => {
    expect(nextStatus('publishing', 'unconfirmed')).toBe('unconfirmed');
    expect(nextStatus('unconfirmed', 'claim')).toBeNull();
  });

  it('refuses illegal changes with a conflict that names the status', () => {
    expect(() => transition('published', 'cancel')).toThrow(ConflictError);
    expect(() => transition('published', 'cancel')).toThrow(/published post cannot be cancelled/);
  });

  it('lists the actions a person may take per status', () => {
    expect(availableActions('pending_approval')).toEqual(['approve', 'reject', 'cancel']);
    expect(availableActions('failed')).toEqual(['cancel', 'retry']);
    expect(availableActions('published')).toEqual([]);
    // Every status, read off the transition table: submit, approve, reject, cancel, retry, in that order.
    const expected: Record<(typeof POST_STATUSES)[number], string[]> = {
      draft: ['submit', 'approve', 'cancel'],
      pending_approval: ['approve', 'reject', 'cancel'],
      scheduled: ['reject', 'cancel'],
      publishing: [],
      unconfirmed: ['cancel', 'retry'],
      published: [],
      failed: ['cancel', 'retry'],
      missed: ['cancel', 'retry'],
      rejected: ['submit', 'approve', 'cancel'],
      cancelled: [],
    };
    expect(Object.keys(expected).sort()).toEqual([...POST_STATUSES].sort());
    for (const status of POST_STATUSES) expect(availableActions(status), status).toEqual(expected[status]);
  });

  it('an attempt outcome is one word: the event the post takes and the value the attempts table stores', () => {
    for (const outcome of ATTEMPT_OUTCOMES) {
      expect(canTransition('publishing', outcome) || canTransition('unconfirmed', outcome), outcome).toBe(true);
      expect(publishAttempts.outcome.enumValues, outcome).toContain(outcome);
    }
    expect(publishAttempts.outcome.enumValues.filter((o) => o !== 'pending').sort()).toEqual(
      [...ATTEMPT_OUTCOMES].sort(),
    );
  });

  it('a post is due exactly when it is scheduled: at its retry time if any, else at its slot', () => {
    for (const status of POST_STATUSES) {
      expect(dueAtOf(status, 1000), status).toBe(status === 'scheduled' ? 1000 : null);
      expect(dueAtOf(status, 1000, 5000), status).toBe(status === 'scheduled' ? 5000 : null);
    }
  });
});
