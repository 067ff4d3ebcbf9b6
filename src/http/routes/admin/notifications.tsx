import { type Context, Hono } from 'hono';
import type { ChannelRow } from '../../../db/repos/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import {
  ChannelEditPage,
  type ChannelFormValues,
  EMPTY_CHANNEL_FORM,
  NotificationsPage,
  type NotificationsData,
  RemoveChannelPage,
  TestResult,
} from '../../../../views/pages/notifications.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { type FormFields, formFields, pageContext, render, setFlash } from '../../render.js';
import { isHtmx, redirectTo } from '../../session.js';

const BASE = '/settings/notifications';

function valuesOf(form: FormFields): ChannelFormValues {
  return {
    kind: form.one('kind'),
    name: form.one('name').trim(),
    url: form.one('url').trim(),
    events: form.many('events'),
    clientId: form.one('clientId'),
  };
}

/** The service's input from a form: empty optional fields are left out rather than refused. */
function inputOf(values: ChannelFormValues, editing: boolean): Record<string, unknown> {
  return {
    ...(editing ? {} : { kind: values.kind }),
    ...(values.name || editing ? { name: values.name } : {}),
    ...(values.url || !editing ? { url: values.url } : {}),
    events: values.events,
    clientId: values.clientId || null,
  };
}

/** Settings → Notifications: chat channels and webhooks, their tests, and the delivery log. */
export function notificationRoutes(deps: AppDeps) {
  const { services, repos, clock } = deps;
  const app = new Hono<AppEnv>();
  const clients = () => repos.clients.options().map(({ id, name }) => ({ id, name }));

  function page(c: Context<AppEnv>, extra: Partial<NotificationsData> = {}, status: 200 | 422 = 200) {
    const query = new URL(c.req.url).searchParams;
    const filters = {
      channel: query.get('channel') ?? '',
      status: query.get('status') ?? '',
      eventType: query.get('eventType') ?? '',
    };
    let log: NotificationsData['log'];
    try {
      const found = services.channels.deliveryLog({
        ...(filters.channel === 'email' ? { channel: 'email' } : { target: filters.channel || undefined }),
        status: filters.status,
        eventType: filters.eventType,
        before: query.get('cursor') ?? undefined,
      });
      log = { rows: found.data, next: found.next, filters };
    } catch (err) {
      // A filter or cursor that is not ours (an old bookmark): the first page, unfiltered.
      if (!(err instanceof ValidationError)) throw err;
      const found = services.channels.deliveryLog({});
      log = { rows: found.data, next: found.next, filters: { channel: '', status: '', eventType: '' } };
    }
    return render(
      c,
      <NotificationsPage
        page={pageContext(c)}
        data={{
          channels: services.channels.list(),
          clients: clients(),
          now: clock.now(),
          form: EMPTY_CHANNEL_FORM,
          newSecret: null,
          log,
          ...extra,
        }}
      />,
      status,
    );
  }

  function channelOf(c: Context<AppEnv>): ChannelRow {
    return services.channels.get(c.req.param('id') ?? '');
  }

  /** The service names list items (`events.1`); the form shows them under the list's one field. */
  function fieldErrors(c: Context<AppEnv>, err: unknown) {
    if (!(err instanceof ValidationError)) throw err;
    c.header('HX-Push-Url', 'false');
    const errors: Record<string, string[]> = {};
    for (const [key, messages] of Object.entries(err.fields)) {
      const field = key.split('.')[0] ?? key;
      errors[field] = [...new Set([...(errors[field] ?? []), ...messages])];
    }
    return errors;
  }

  app.get(BASE, (c) => page(c));

  app.post(`${BASE}/channels`, async (c) => {
    const values = valuesOf(await formFields(c));
    try {
      const { channel, secret } = services.channels.create(inputOf(values, false), c.var.actor);
      // A webhook's secret is shown this once, so the page is rendered here rather than redirected to.
      if (secret) {
        // The address bar shows the page itself: a reload lists the channels (without the secret).
        c.header('HX-Push-Url', BASE);
        return page(c, { newSecret: { name: channel.name, secret } });
      }
      setFlash(c, 'ok', `“${channel.name}” added. Send it a test to check it.`);
      return redirectTo(c, `${BASE}#channel-${channel.id}`);
    } catch (err) {
      return page(c, { errors: fieldErrors(c, err), form: values }, 422);
    }
  });

  app.get(`${BASE}/channels/:id/edit`, (c) => {
    const channel = channelOf(c);
    const values = {
      kind: channel.kind,
      name: channel.name,
      url: '',
      events: channel.events,
      clientId: channel.clientId ?? '',
    };
    return render(c, <ChannelEditPage page={pageContext(c)} channel={channel} values={values} clients={clients()} />);
  });

  app.post(`${BASE}/channels/:id`, async (c) => {
    const channel = channelOf(c);
    const values = { ...valuesOf(await formFields(c)), kind: channel.kind };
    try {
      const saved = services.channels.update(channel.id, inputOf(values, true), c.var.actor);
      setFlash(c, 'ok', `“${saved.name}” saved.`);
      return redirectTo(c, BASE);
    } catch (err) {
      const errors = fieldErrors(c, err);
      return render(
        c,
        <ChannelEditPage page={pageContext(c)} channel={channel} values={values} errors={errors} clients={clients()} />,
        422,
      );
    }
  });

  app.get(`${BASE}/channels/:id/remove`, (c) =>
    render(c, <RemoveChannelPage page={pageContext(c)} channel={channelOf(c)} />),
  );

  app.post(`${BASE}/channels/:id/remove`, (c) => {
    const channel = channelOf(c);
    services.channels.remove(channel.id, c.var.actor);
    setFlash(c, 'ok', `“${channel.name}” removed.`);
    return redirectTo(c, BASE);
  });

  app.post(`${BASE}/channels/:id/resume`, (c) => {
    const channel = services.channels.update(channelOf(c).id, { active: true }, c.var.actor);
    setFlash(c, 'ok', `“${channel.name}” resumed; what it missed is being sent.`);
    return redirectTo(c, `${BASE}#channel-${channel.id}`);
  });

  // htmx from the channel's row: the answer follows the test's delivery until it is settled.
  // Without htmx (a boosted or plain post) it queues the test and goes back to the page.
  app.post(`${BASE}/channels/:id/test`, (c) => {
    const channel = channelOf(c);
    const inRow = isHtmx(c) && c.req.header('hx-boosted') !== 'true';
    try {
      const { deliveryId } = services.channels.sendTest(channel.id);
      if (!inRow) {
        setFlash(c, 'ok', `A test is on its way to “${channel.name}”; the delivery log shows the answer.`);
        return redirectTo(c, `${BASE}?channel=${channel.id}#log`);
      }
      const delivery = repos.notify.getDelivery(deliveryId);
      return render(c, <TestResult delivery={delivery!} poll={0} />);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (!inRow) {
        setFlash(c, 'error', err.message);
        return redirectTo(c, BASE);
      }
      return render(c, <TestResult error={err.message} />, 422);
    }
  });

  app.get(`${BASE}/deliveries/:id/status`, (c) => {
    const delivery = repos.notify.getDelivery(c.req.param('id'));
    if (!delivery) throw new NotFoundError('Delivery');
    const poll = Number.parseInt(new URL(c.req.url).searchParams.get('poll') ?? '0', 10);
    return render(c, <TestResult delivery={delivery} poll={Number.isFinite(poll) ? poll : 0} />);
  });

  app.post(`${BASE}/deliveries/:id/redeliver`, (c) => {
    try {
      services.channels.redeliver(c.req.param('id'));
      setFlash(c, 'ok', 'Sent again with the same event id; the log shows the answer in a moment.');
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, `${BASE}#log`);
  });

  return app;
}
