import { Hono, type Context } from 'hono';
import { HeraldError, ValidationError, type FieldErrors } from '../../../domain/errors.js';
import type { PostingTime } from '../../../domain/queue.js';
import type { AccountRow } from '../../../db/repos/index.js';
import { formatInZone } from '../../../lib/zoned-time.js';
import { MAX_QUEUE_VIEW } from '../../../services/queue-service.js';
import { AccountQueuePage, type AccountQueueData } from '../../../../views/pages/account-queue.js';
import { PostingTimesForm, postingTimesValues, weekdayField } from '../../../../views/components/posting-times.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { safeNext } from '../../safe-next.js';
import { isHtmx, redirectTo } from '../../session.js';

const DEFAULT_COUNT = 20;

/** The form's seven fields → posting times, or the fields' errors ("9:5" is not a time). */
function readPostingTimes(form: Record<string, string>): { times: PostingTime[]; errors: FieldErrors | null } {
  const times: PostingTime[] = [];
  const errors: FieldErrors = {};
  for (let weekday = 1; weekday <= 7; weekday++) {
    const field = weekdayField(weekday);
    const seen = new Set<string>();
    for (const token of (form[field] ?? '').split(/[\s,;]+/).filter(Boolean)) {
      const m = /^(\d{1,2})[:.h](\d{2})$/.exec(token);
      const time = m && Number(m[1]) < 24 && Number(m[2]) < 60 ? `${m[1]!.padStart(2, '0')}:${m[2]}` : null;
      if (!time) (errors[field] ??= []).push(`"${token}" is not a time: write it as HH:MM, e.g. 09:30`);
      else if (seen.has(time)) (errors[field] ??= []).push(`${time} is listed twice`);
      else {
        seen.add(time);
        times.push({ weekday, time });
      }
    }
  }
  return { times, errors: Object.keys(errors).length ? errors : null };
}

/** The service's field errors (`postingTimes.3.time`) on the form's one message line. */
function formErrorsOf(err: ValidationError): FieldErrors {
  return { _: Object.values(err.fields).flat() };
}

export function queueRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();

  function queueData(account: AccountRow, count: number, form?: AccountQueueData['form']): AccountQueueData {
    const client = services.clients.get(account.clientId);
    const slots = services.queue.slots(account.id, count);
    const more = slots.length === count && count < MAX_QUEUE_VIEW ? Math.min(MAX_QUEUE_VIEW, count * 2) : null;
    return { client, account, slots, count, more, ...(form ? { form } : {}) };
  }

  /** The form again (htmx), or the queue page holding it (a plain post). */
  function answer(c: Context<AppEnv>, account: AccountRow, form: NonNullable<AccountQueueData['form']>, status = 200) {
    const tz = services.clients.get(account.clientId).timezone;
    const node = isHtmx(c) ? (
      <PostingTimesForm account={account} csrf={pageContext(c).csrf} tz={tz} {...form} />
    ) : (
      <AccountQueuePage page={pageContext(c)} data={queueData(account, DEFAULT_COUNT, form)} />
    );
    return render(c, node, status as 200);
  }

  app.get('/accounts/:id/queue', (c) => {
    const account = services.accounts.get(c.req.param('id'));
    const asked = Number(c.req.query('count') ?? DEFAULT_COUNT);
    const count = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_QUEUE_VIEW) : DEFAULT_COUNT;
    return render(c, <AccountQueuePage page={pageContext(c)} data={queueData(account, count)} />);
  });

  app.post('/accounts/:id/posting-times', async (c) => {
    const account = services.accounts.get(c.req.param('id'));
    const form = await formOf(c);
    const { times, errors } = readPostingTimes(form);
    if (errors) {
      c.header('HX-Push-Url', 'false');
      return answer(c, account, { values: form, errors }, 422);
    }
    try {
      const saved = services.accounts.patch(account.id, { postingTimes: times }, c.var.actor);
      const note = saved.postingTimes.length
        ? `Saved: ${saved.postingTimes.length} posting times a week.`
        : 'Saved: no posting times, so this account has no queue.';
      if (isHtmx(c)) return answer(c, saved, { note });
      setFlash(c, 'ok', note);
      return redirectTo(c, `/accounts/${account.id}/queue`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      c.header('HX-Push-Url', 'false');
      return answer(c, account, { values: form, errors: formErrorsOf(err) }, 422);
    }
  });

  app.post('/accounts/:id/posting-times/suggest', async (c) => {
    const account = services.accounts.get(c.req.param('id'));
    const form = await formOf(c);
    const suggestion = services.queue.suggestTimes(account.id);
    if (!suggestion)
      return answer(c, account, {
        values: form,
        note: 'None of this account’s posts has results yet: there is nothing of its own to suggest from.',
      });
    return answer(c, account, {
      values: postingTimesValues(suggestion.times),
      note:
        `Suggested from ${suggestion.posts} measured post${suggestion.posts === 1 ? '' : 's'} ` +
        '(the hours they did best, leaning on the general pattern while there are few). Save to use them.',
    });
  });

  /** The post page's evergreen form: set it (`everyWeeks`, `times`, `until`, `rewrite`) or `stop`. */
  app.post('/posts/:id/evergreen', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const num = (v: string | undefined) => (v?.trim() ? Number(v.trim()) : null);
    const evergreen =
      form.stop === '1'
        ? null
        : {
            everyWeeks: num(form.everyWeeks) ?? Number.NaN,
            times: num(form.times),
            until: form.until?.trim() || null,
            rewrite: form.rewrite === '1',
          };
    try {
      services.posts.update(id, { evergreen, version: Number(form.version) }, c.var.actor);
      setFlash(c, 'ok', evergreen ? 'Evergreen saved.' : 'Evergreen stopped: no more copies will be made.');
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      const details = err instanceof ValidationError ? ` ${Object.values(err.fields).flat().join(' ')}` : '';
      setFlash(c, 'error', `${err.message}${details}`);
    }
    return redirectTo(c, `/posts/${id}#evergreen`);
  });

  /** "Add to queue" and "Share next" (`front=1`), from the post editor and the queue. */
  app.post('/posts/:id/queue', async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const front = form.front === '1' || form.front === 'true';
    try {
      const post = services.queue.place(id, c.var.actor, { front });
      const tz = services.clients.get(post.clientId).timezone;
      const when = `${formatInZone(post.scheduledAt!, tz)} (${tz})`;
      setFlash(
        c,
        'ok',
        `${front ? 'Shared next' : 'Added to the queue'}: ${when}` +
          (post.status === 'pending_approval' ? ', waiting for approval.' : '.'),
      );
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, form.next ? safeNext(form.next) : `/posts/${id}`);
  });

  return app;
}
