import { Hono, type Context } from 'hono';
import type { ClientRow, RuleWithAccounts } from '../../../db/repos/index.js';
import { ValidationError, type FieldErrors } from '../../../domain/errors.js';
import { isValidTimeZone, timeZones } from '../../../domain/validation.js';
import { cronProblem, nextSlots } from '../../../lib/cron.js';
import { weeklyCron, weeklyParts } from '../../../lib/cron-describe.js';
import { RuleForm, SlotPreview, type RuleFormValues } from '../../../../views/pages/rule-form.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { submitForm } from '../../forms.js';
import { formFields, pageContext, queryFields, render, setFlash, type FormFields } from '../../render.js';
import { redirectTo } from '../../session.js';
import { suggestionView } from './learning.js';
import { requestWriting } from './writing.js';

const PREVIEW_COUNT = 10;

/** The rule form's values, from a posted form or (for the live preview) the query string. */
function ruleFormFrom({ one, many }: FormFields): RuleFormValues {
  return {
    name: one('name'),
    accountIds: many('accountIds'),
    scheduleMode: one('scheduleMode') === 'cron' ? 'cron' : 'weekly',
    days: many('days')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n >= 0 && n <= 6),
    hours: many('hours')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n >= 0 && n <= 23),
    minute: Math.min(59, Math.max(0, Number(one('minute')) || 0)),
    cron: one('cron').trim(),
    timezone: one('timezone'),
    topics: one('topics'),
    tone: one('tone'),
    instructions: one('instructions'),
    media: one('media') || 'none',
    horizonDays: one('horizonDays') || '7',
    active: one('active') === 'true',
    labels: many('labels'),
  };
}

/** The cron the form describes: composed from the picker, or typed by hand. */
function cronOf(values: RuleFormValues): { cron: string; errors: FieldErrors } {
  if (values.scheduleMode === 'cron') return { cron: values.cron, errors: {} };
  const errors: FieldErrors = {};
  if (values.days.length === 0) errors.days = ['pick at least one day'];
  if (values.hours.length === 0) errors.hours = ['pick at least one time'];
  return { cron: weeklyCron(values.minute, values.hours, values.days), errors };
}

function toInput(values: RuleFormValues, cron: string) {
  return {
    name: values.name,
    accountIds: values.accountIds,
    cron,
    timezone: values.timezone || null,
    topics: values.topics
      .split('\n')
      .map((t) => t.trim())
      .filter(Boolean),
    tone: values.tone,
    instructions: values.instructions,
    media: values.media,
    horizonDays: Number(values.horizonDays),
    active: values.active,
    labels: values.labels,
  };
}

function valuesOf(rule: RuleWithAccounts, labels: string[]): RuleFormValues {
  const weekly = weeklyParts(rule.cron);
  return {
    name: rule.name,
    accountIds: rule.accountIds,
    scheduleMode: weekly ? 'weekly' : 'cron',
    days: weekly?.days ?? [1, 2, 3, 4, 5],
    hours: weekly?.hours ?? [9],
    minute: weekly?.minute ?? 0,
    cron: rule.cron,
    timezone: rule.timezone ?? '',
    topics: rule.topics.join('\n'),
    tone: rule.tone,
    instructions: rule.instructions,
    media: rule.media,
    horizonDays: String(rule.horizonDays),
    active: rule.active,
    labels,
  };
}

const NEW_RULE: RuleFormValues = {
  name: '',
  accountIds: [],
  scheduleMode: 'weekly',
  days: [1, 2, 3, 4, 5],
  hours: [9],
  minute: 0,
  cron: '0 9 * * 1-5',
  timezone: '',
  topics: '',
  tone: '',
  instructions: '',
  media: 'none',
  horizonDays: '7',
  active: true,
  labels: [],
};

export function ruleRoutes(deps: AppDeps) {
  const { services, repos, clock } = deps;
  const app = new Hono<AppEnv>();

  function preview(values: RuleFormValues, client: ClientRow) {
    const tz = values.timezone && isValidTimeZone(values.timezone) ? values.timezone : client.timezone;
    const { cron, errors } = cronOf(values);
    const problem = Object.values(errors)[0]?.[0] ?? cronProblem(cron);
    if (problem) return { slots: [], tz, problem };
    return {
      slots: nextSlots(cron, tz, PREVIEW_COUNT, new Date(clock.now())).map((d) => d.getTime()),
      tz,
      problem: null,
    };
  }

  function form(
    c: Context<AppEnv>,
    client: ClientRow,
    values: RuleFormValues,
    extra: { rule?: RuleWithAccounts; errors?: FieldErrors; message?: string } = {},
  ) {
    const accounts = repos.accounts.listByClient(client.id);
    const media = values.media === 'image' ? 'image' : 'none';
    const skips = accounts
      .filter((a) => values.accountIds.includes(a.id))
      .flatMap((a) => {
        const reason = deps.generator.skipReason({ media }, a);
        return reason ? [`${a.name}: ${reason}`] : [];
      });
    const ai = { enabled: deps.generator.enabled, skips };
    return (
      <RuleForm
        page={pageContext(c)}
        client={client}
        accounts={accounts}
        labels={repos.labels.list()}
        values={values}
        zones={timeZones()}
        preview={preview(values, client)}
        ai={ai}
        suggestion={extra.rule ? suggestionView(deps, extra.rule.id) : null}
        {...extra}
      />
    );
  }

  app.get('/rules/preview', async (c) => {
    const client = services.clients.get(c.req.query('clientId') ?? '');
    const p = preview(ruleFormFrom(queryFields(c)), client);
    return render(c, <SlotPreview slots={p.slots} tz={p.tz} problem={p.problem} />);
  });

  app.get('/clients/:id/rules/new', (c) => render(c, form(c, services.clients.get(c.req.param('id')), NEW_RULE)));

  app.post('/clients/:id/rules', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const values = ruleFormFrom(await formFields(c));
    return submitForm(
      c,
      () => {
        const { cron, errors } = cronOf(values);
        if (Object.keys(errors).length) throw new ValidationError(errors);
        const rule = services.rules.create(client.id, toInput(values, cron), c.var.actor);
        setFlash(c, 'ok', `Rule "${rule.name}" created.`);
        return redirectTo(c, `/clients/${client.id}`);
      },
      (errors, message, status) => render(c, form(c, client, values, { errors, message }), status as 422),
    );
  });

  app.get('/rules/:id/edit', (c) => {
    const rule = services.rules.get(c.req.param('id'));
    const values = valuesOf(rule, services.rules.labelsOf(rule.id));
    return render(c, form(c, services.clients.get(rule.clientId), values, { rule }));
  });

  app.post('/rules/:id', async (c) => {
    const rule = services.rules.get(c.req.param('id'));
    const client = services.clients.get(rule.clientId);
    const values = ruleFormFrom(await formFields(c));
    return submitForm(
      c,
      () => {
        const { cron, errors } = cronOf(values);
        if (Object.keys(errors).length) throw new ValidationError(errors);
        services.rules.update(rule.id, toInput(values, cron), c.var.actor);
        setFlash(c, 'ok', 'Rule saved.');
        return redirectTo(c, `/clients/${client.id}`);
      },
      (errors, message, status) => render(c, form(c, client, values, { rule, errors, message }), status as 422),
    );
  });

  app.post('/rules/:id/generate', (c) => {
    const rule = services.rules.get(c.req.param('id'));
    requestWriting(
      c,
      deps,
      { ruleId: rule.id },
      `Writing posts for "${rule.name}"; they appear in the pipeline within a minute or two.`,
    );
    return redirectTo(c, `/rules/${rule.id}/edit`);
  });

  app.post('/rules/:id/delete', (c) => {
    const rule = services.rules.get(c.req.param('id'));
    services.rules.delete(rule.id, c.var.actor);
    setFlash(c, 'ok', `Rule "${rule.name}" deleted.`);
    return redirectTo(c, `/clients/${rule.clientId}`);
  });

  return app;
}
