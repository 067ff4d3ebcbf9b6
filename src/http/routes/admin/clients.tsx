import { Hono } from 'hono';
import type { ClientRow } from '../../../db/repos/index.js';
import type { FieldErrors } from '../../../domain/errors.js';
import { timeZones } from '../../../domain/validation.js';
import { nextSlots } from '../../../lib/cron.js';
import { AccountRowView, ClientShowPage, InviteBox } from '../../../../views/pages/client-show.js';
import { ClientForm, ClientRows, ClientsPage, type ClientFormValues } from '../../../../views/pages/clients.js';
import { heldOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { orNull, submitForm } from '../../forms.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { isHtmx, redirectTo } from '../../session.js';
import { requestWriting } from './writing.js';
import { connectChoices } from '../../connector-info.js';
import { avatarResponse } from '../../avatar-response.js';
import type { ClientSetting } from '../../../platforms/network.js';
import { feedsView } from './feeds.js';

const PAGE_SIZE = 50;

function clientInput(form: Record<string, string>, settings: readonly ClientSetting[]) {
  return {
    // Each network's per-client options (src/platforms/network.ts ClientSetting), by their field.
    ...Object.fromEntries(settings.map((s) => [s.field, orNull(form[s.field])])),
    name: form.name ?? '',
    timezone: form.timezone ?? '',
    brandVoice: form.brandVoice ?? '',
    audience: form.audience ?? '',
    language: form.language || 'en',
    approvalMode: form.approvalMode ?? 'admin',
    // One address per line (commas and spaces work too).
    contactEmails: (form.contactEmails ?? '').split(/[\s,;]+/).filter(Boolean),
    // Empty: no monthly report. Anything else must be a whole day (the schema says which).
    reportDay: form.reportDay?.trim() ? Number(form.reportDay.trim()) : null,
  };
}

/** `contactEmails.3` (the fourth address) → one message on the form's one field, naming the address. */
function contactErrors(errors: FieldErrors, form: Record<string, string>): FieldErrors {
  const list = (form.contactEmails ?? '').split(/[\s,;]+/).filter(Boolean);
  const out: FieldErrors = {};
  for (const [key, messages] of Object.entries(errors)) {
    const m = /^contactEmails\.(\d+)$/.exec(key);
    if (!m) {
      (out[key] ??= []).push(...messages);
      continue;
    }
    const address = list[Number(m[1])] ?? '';
    (out.contactEmails ??= []).push(...messages.map((text) => `${address}: ${text}`));
  }
  return out;
}

export function clientRoutes(deps: AppDeps) {
  const { services, repos, clock } = deps;
  const app = new Hono<AppEnv>();

  app.get('/clients', (c) => {
    const q = c.req.query('q') ?? '';
    const status = c.req.query('status') ?? '';
    const page = services.clients.list({
      q,
      status: status || undefined,
      excludeArchived: !status,
      ids: heldOf(c),
      order: 'name',
      cursor: c.req.query('cursor'),
      limit: PAGE_SIZE,
    });
    const stats = repos.clients.statsFor(page.data.map((x) => x.id));
    const items = page.data.map((x) => ({ ...x, ...stats.get(x.id)! }));
    // htmx search swaps only the results; a plain request gets the whole page.
    if (isHtmx(c) && c.req.header('hx-target') === 'client-results')
      return render(c, <ClientRows clients={items} next={page.nextCursor} q={q} status={status} />);
    return render(
      c,
      <ClientsPage page={pageContext(c)} clients={items} next={page.nextCursor} q={q} status={status} />,
    );
  });

  app.get('/clients/new', (c) =>
    render(
      c,
      <ClientForm
        settings={deps.networks.clientSettings()}
        page={pageContext(c)}
        values={{ timezone: 'UTC', language: 'en', approvalMode: 'admin' }}
        zones={timeZones()}
      />,
    ),
  );

  app.post('/clients', async (c) => {
    const form = await formOf(c);
    return submitForm(
      c,
      () => {
        const client = services.clients.create(clientInput(form, deps.networks.clientSettings()), c.var.actor);
        setFlash(c, 'ok', `${client.name} was added. Create an invite link so they can connect their accounts.`);
        return redirectTo(c, `/clients/${client.id}`);
      },
      (errors, message, status) =>
        render(
          c,
          <ClientForm
            settings={deps.networks.clientSettings()}
            page={pageContext(c)}
            values={form}
            errors={contactErrors(errors, form)}
            message={message}
            zones={timeZones()}
          />,
          status as 422,
        ),
    );
  });

  function showData(client: ClientRow, newInvite: { url: string; expiresAt: number } | null = null) {
    const now = clock.now();
    const rules = repos.rules.listByClient(client.id).map((r) => {
      let nextSlot: number | null = null;
      try {
        nextSlot = nextSlots(r.cron, r.timezone ?? client.timezone, 1, new Date(now))[0]?.getTime() ?? null;
      } catch {
        nextSlot = null;
      }
      return { ...r, nextSlot };
    });
    const upcoming = repos.posts.listDetailed({
      clientId: client.id,
      status: ['scheduled', 'pending_approval'],
      from: now,
      limit: 10,
    }).data;
    const accounts = repos.accounts.listByClient(client.id);
    return {
      client,
      accounts,
      notes: deps.networks.accountNotes(accounts, now),
      settings: deps.networks.accountSettings(accounts),
      rules,
      upcoming,
      invites: services.clients.invites(client.id),
      newInvite,
      now,
      counts: repos.posts.countByStatus(client.id),
      snippets: repos.snippets.listByClient(client.id),
      feeds: feedsView(deps, client),
      aiEnabled: deps.generator.enabled,
      connectors: connectChoices(deps).map((choice) => ({
        id: choice.id,
        label: choice.label,
        configured: choice.configured,
        hint: `${choice.setup} to connect.`,
        oauth: choice.oauth,
        form: choice.form,
        entry: choice.entry,
      })),
    };
  }

  app.get('/clients/:id', (c) =>
    render(c, <ClientShowPage page={pageContext(c)} data={showData(services.clients.get(c.req.param('id')))} />),
  );

  app.get('/clients/:id/edit', (c) => {
    const client = services.clients.get(c.req.param('id'));
    return render(
      c,
      <ClientForm
        settings={deps.networks.clientSettings()}
        page={pageContext(c)}
        values={{
          ...(client as unknown as ClientFormValues),
          contactEmails: client.contactEmails.join('\n'),
          reportDay: client.reportDay === null ? '' : String(client.reportDay),
        }}
        client={client}
        zones={timeZones()}
      />,
    );
  });

  app.post('/clients/:id', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const form = await formOf(c);
    return submitForm(
      c,
      () => {
        services.clients.update(
          client.id,
          { ...clientInput(form, deps.networks.clientSettings()), ...(form.status ? { status: form.status } : {}) },
          c.var.actor,
        );
        setFlash(c, 'ok', 'Saved.');
        return redirectTo(c, `/clients/${client.id}`);
      },
      (errors, message, status) =>
        render(
          c,
          <ClientForm
            settings={deps.networks.clientSettings()}
            page={pageContext(c)}
            values={form}
            errors={contactErrors(errors, form)}
            message={message}
            client={client}
            zones={timeZones()}
          />,
          status as 422,
        ),
    );
  });

  app.post('/clients/:id/generate', (c) => {
    const client = services.clients.get(c.req.param('id'));
    requestWriting(
      c,
      deps,
      { clientId: client.id },
      'Writing posts for this client’s rules; they appear in the pipeline within a minute or two.',
    );
    return redirectTo(c, `/clients/${client.id}`);
  });

  app.post('/clients/:id/archive', (c) => {
    const client = services.clients.archive(c.req.param('id'), c.var.actor);
    setFlash(c, 'ok', `${client.name} is archived; its unpublished posts were cancelled.`);
    return redirectTo(c, '/clients');
  });

  app.post('/clients/:id/invites', (c) => {
    const client = services.clients.get(c.req.param('id'));
    const invite = services.clients.createInvite(client.id, undefined, c.var.actor);
    const data = showData(client, { url: invite.url, expiresAt: invite.expiresAt });
    if (isHtmx(c))
      return render(
        c,
        <InviteBox
          clientId={client.id}
          invites={data.invites}
          newInvite={data.newInvite}
          csrf={pageContext(c).csrf}
          now={data.now}
          tz={client.timezone}
        />,
      );
    return render(c, <ClientShowPage page={pageContext(c)} data={data} />);
  });

  app.post('/clients/:id/invites/:inviteId/revoke', (c) => {
    const client = services.clients.get(c.req.param('id'));
    services.clients.revokeInvite(client.id, c.req.param('inviteId'), c.var.actor);
    if (isHtmx(c)) {
      const data = showData(client);
      return render(
        c,
        <InviteBox
          clientId={client.id}
          invites={data.invites}
          newInvite={null}
          csrf={pageContext(c).csrf}
          now={data.now}
          tz={client.timezone}
        />,
      );
    }
    setFlash(c, 'ok', 'The invite link was revoked.');
    return redirectTo(c, `/clients/${client.id}`);
  });

  for (const [verb, status] of [
    ['enable', 'connected'],
    ['disable', 'disabled'],
  ] as const) {
    app.post(`/accounts/:id/${verb}`, (c) => {
      const account = services.accounts.get(c.req.param('id'));
      const client = services.clients.get(account.clientId);
      return submitForm(
        c,
        () => {
          const updated = services.accounts.patch(account.id, { status }, c.var.actor);
          if (isHtmx(c))
            return render(
              c,
              <AccountRowView
                account={updated}
                csrf={pageContext(c).csrf}
                tz={client.timezone}
                now={clock.now()}
                note={deps.networks.accountNotes([updated], clock.now())[updated.id]}
                settings={deps.networks.accountSettings([updated])[updated.id]}
              />,
            );
          return redirectTo(c, `/clients/${client.id}`);
        },
        (_errors, message) => {
          setFlash(c, 'error', message ?? 'That did not work.');
          if (isHtmx(c)) {
            c.header('HX-Redirect', `/clients/${client.id}`);
            return c.body(null, 200);
          }
          return redirectTo(c, `/clients/${client.id}`);
        },
      );
    });
  }

  // The account's picture (or its initial), a request of its own so no page waits for a vendor's server.
  app.get('/accounts/:id/avatar', async (c) => avatarResponse(c, await services.avatars.forAccount(c.req.param('id'))));

  // Settings a platform declares for its accounts (docs/adding-a-network.md#account-settings).
  app.post('/accounts/:id/settings', async (c) => {
    const account = services.accounts.get(c.req.param('id'));
    const result = deps.networks.accountSettingsPatch(account, await formOf(c));
    if ('error' in result) setFlash(c, 'error', result.error);
    else {
      services.accounts.setPlatformData(account.id, result.patch, c.var.actor);
      setFlash(c, 'ok', `The settings of ${account.name} were saved.`);
    }
    return redirectTo(c, `/clients/${account.clientId}`);
  });

  app.post('/accounts/:id/delete', (c) => {
    const account = services.accounts.get(c.req.param('id'));
    services.accounts.delete(account.id, c.var.actor);
    setFlash(c, 'ok', `${account.name} was removed.`);
    return redirectTo(c, `/clients/${account.clientId}`);
  });

  return app;
}
