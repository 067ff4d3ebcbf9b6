// The pure parts of learning: best times with a prior, the schedule a cron can express, examples
// by rate, the diff of a reviewer's edit, and guidance that keeps an admin's lines.
import { describe, expect, it } from 'vitest';
import { bestTimes, generalPrior, suggestSchedule, type TimedResult } from '../../src/domain/best-times.js';
import {
  captionEdit,
  describeEdit,
  learnedLines,
  MAX_GUIDANCE_LINES,
  mergeGuidance,
  type ReviewSignal,
  touchedBy,
} from '../../src/domain/guidance.js';
import { chooseExamples } from '../../src/domain/writing-examples.js';

const at = (weekday: number, hour: number, rate: number, n = 1): TimedResult[] =>
  Array.from({ length: n }, () => ({ weekday, hour, rate }));

describe('best times', () => {
  it('the prior ranks every hour with no data, and yields to evidence as it grows', () => {
    const prior = generalPrior('facebook');
    expect(bestTimes([], { prior, limit: 1 })[0]).toMatchObject({ weekday: 1, hour: 9, posts: 0 });
    // One strong post at 03:00 among ordinary ones: not enough against the prior.
    const few = [...at(2, 3, 0.06), ...at(3, 13, 0.02, 3)];
    expect(bestTimes(few, { prior, limit: 1 })[0]).toMatchObject({ weekday: 1, hour: 9 });
    const many = [...at(2, 3, 0.06, 8), ...at(3, 13, 0.02, 8)];
    expect(bestTimes(many, { prior, limit: 1 })[0]).toMatchObject({ weekday: 2, hour: 3, posts: 8 });
    // Without a prior only hours with posts are ranked.
    expect(bestTimes(few).map((t) => [t.weekday, t.hour])).toEqual([
      [2, 3],
      [3, 13],
    ]);
    expect(generalPrior('linkedin')(6, 10)).toBeLessThan(generalPrior('facebook')(6, 10));
  });

  it('suggests a days × hours schedule with the rule’s number of slots', () => {
    const ranked = bestTimes([...at(2, 18, 0.08, 6), ...at(4, 18, 0.07, 6), ...at(1, 9, 0.01, 6)], {
      prior: generalPrior(),
      limit: 168,
    });
    expect(suggestSchedule(ranked, 1)).toEqual({ days: [2], hours: [18] });
    const three = suggestSchedule(ranked, 3);
    expect(three.hours).toEqual([18]);
    expect(three.days).toHaveLength(3);
    expect(three.days).toEqual(expect.arrayContaining([2, 4]));
    const ten = suggestSchedule(ranked, 10);
    expect(ten.hours).toHaveLength(2);
    expect(ten.days).toHaveLength(5);
    // Sunday is cron day 0.
    const sunday = bestTimes([...at(7, 18, 0.1, 10), ...at(3, 12, 0.02, 10)], { prior: generalPrior(), limit: 168 });
    expect(suggestSchedule(sunday, 1)).toEqual({ days: [0], hours: [18] });
  });
});

describe('examples', () => {
  it('ranks by rate, keeps poor ones apart from good, and names what sets them apart', () => {
    const post = (postId: string, rate: number, caption = `post ${postId}?`) => ({
      postId,
      platform: 'facebook',
      caption,
      rate,
    });
    const few = chooseExamples([post('a', 0.01), post('b', 0.05), post('c', 0.03)]);
    expect(few.good.map((p) => p.postId)).toEqual(['b', 'c', 'a']);
    expect(few.poor).toEqual([]);
    const long = `${'Buy now '.repeat(30)} #a #b #c #d`;
    const many = chooseExamples([
      post('a', 0.09),
      post('b', 0.08),
      post('c', 0.07),
      post('d', 0.04),
      post('e', 0.002, long),
      post('f', 0.001, long),
    ]);
    expect(many.good.map((p) => p.postId)).toEqual(['a', 'b', 'c']);
    expect(many.poor.map((p) => p.postId)).toEqual(['f', 'e']);
    expect(many.avoid.join('; ')).toMatch(/long captions.*many hashtags.*no question/);
  });
});

describe('guidance', () => {
  it('summarises an edit as removed and added runs', () => {
    const edit = captionEdit('Amazing news!!! Our bread is here 🎉 #a #b #c', 'Our bread is here today. #a');
    expect(edit.removed).toEqual(['Amazing news!!!', '🎉', '#b #c']);
    expect(edit.added).toEqual(['today.']);
    expect(edit).toMatchObject({ hashtagsRemoved: 2, emojisRemoved: 1, exclamationsRemoved: 3 });
    expect(describeEdit(edit)).toMatch(/^shortened by \d+%; removed “Amazing news!!!”, .*; added “today\.”$/);
  });

  it('keeps admin lines, updates learned ones, re-adds a deleted one only on new evidence, and stays bounded', () => {
    const edit = (id: string): ReviewSignal => ({
      kind: 'edit',
      postId: id,
      edit: captionEdit('Incredible offer #x #y, come and see our amazing bakery today', 'Come and see us'),
    });
    const reject = (id: string, comment: string): ReviewSignal => ({ kind: 'rejection', postId: id, comment });
    const signals = [edit('1'), edit('2')];
    const learned = learnedLines(signals);
    expect([...learned.keys()]).toEqual(expect.arrayContaining(['shorter', 'hashtags']));
    const first = mergeGuidance('- Never mention prices.', learned, touchedBy(learned, learnedLines([edit('1')])));
    expect(first.split('\n')[0]).toBe('- Never mention prices.');
    expect(first).toMatch(/Use fewer hashtags: reviewers removed them \(learned from 2 reviews\)/);
    // The admin deletes the hashtag line; an unrelated rejection does not bring it back…
    const edited = first
      .split('\n')
      .filter((l) => !l.includes('hashtags'))
      .join('\n');
    const withReject = [...signals, reject('3', 'Say when we open.')];
    const l2 = learnedLines(withReject);
    const second = mergeGuidance(edited, l2, touchedBy(l2, learnedLines(signals)));
    expect(second).not.toMatch(/hashtags/);
    expect(second).toMatch(/A reviewer asked: “Say when we open\.” \(learned from 1 review\)$/);
    // …a third edit (new evidence for it) does, with its new count.
    const withEdit = [...withReject, edit('4')];
    const l3 = learnedLines(withEdit);
    const third = mergeGuidance(second, l3, touchedBy(l3, learnedLines(withReject)));
    expect(third).toMatch(/Use fewer hashtags: reviewers removed them \(learned from 3 reviews\)/);
    expect(third.split('\n')[0]).toBe('- Never mention prices.');
    // Bounded: many distinct comments never push out the admin's line.
    const lots = Array.from({ length: 12 }, (_, i) => reject(`c${i}`, `Comment number ${i}`));
    const l4 = learnedLines([...withEdit, ...lots]);
    const fourth = mergeGuidance(third, l4, new Set(l4.keys()));
    expect(fourth.split('\n').length).toBeLessThanOrEqual(MAX_GUIDANCE_LINES);
    expect(fourth.split('\n')[0]).toBe('- Never mention prices.');
  });
});
