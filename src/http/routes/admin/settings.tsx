import { memberIdOf } from '../../../domain/actor.js';
import { Hono, type Context } from 'hono';
import { ValidationError } from '../../../domain/errors.js';
import { submitForm } from '../../forms.js';

import { can } from '../../../domain/roles.js';
import { SettingsPage, type SettingsData } from '../../../../views/pages/settings.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { clearSessionCookie, redirectTo, setSessionCookie, signInMeta } from '../../session.js';

const TOKEN_FIELDS: Record<string, string> = {
  name: 'tokenName',
  scope: 'tokenScope',
  expiresInDays: 'tokenExpiresInDays',
};

export function settingsRoutes(deps: AppDeps) {
  const { services, config, clock } = deps;
  const app = new Hono<AppEnv>();

  function page(c: Context<AppEnv>, extra: Partial<SettingsData> = {}, status: 200 | 422 = 200) {
    return render(
      c,
      <SettingsPage
        page={pageContext(c)}
        data={{
          agencyName: services.settings.agencyNameSet() ?? '',
          tokens: services.apiTokens.list(),
          now: clock.now(),
          newToken: null,
          twoFactor: {
            required: services.twoFactor.requireMfa(),
            mayChange: can(c.var.session!.access!.role, 'instance.manage'),
          },
          callbacks: deps.networks.list.flatMap(({ descriptor }) =>
            descriptor.connect.oauth
              ? [
                  {
                    name: descriptor.connect.oauth.consoleName,
                    url: `${config.publicUrl}/auth/${descriptor.id}/callback`,
                  },
                ]
              : [],
          ),
          ...extra,
        }}
      />,
      status,
    );
  }

  /** A refused change shows the page again with the reason; "not found" is the app's error page. */
  function attempt(c: Context<AppEnv>, action: () => Promise<Response> | Response) {
    return submitForm(c, action, (errors, message) => page(c, { errors, message }, 422));
  }

  app.get('/settings', (c) => page(c));

  app.post('/settings/agency', async (c) => {
    const form = await formOf(c);
    return attempt(c, () => {
      services.settings.updateAgency({ agencyName: form.agencyName ?? '' }, c.var.actor);
      setFlash(c, 'ok', 'Saved.');
      return redirectTo(c, '/settings');
    });
  });

  app.post('/settings/tokens', async (c) => {
    const form = await formOf(c);
    const values = {
      name: form.tokenName ?? '',
      scope: form.tokenScope ?? '',
      expiresInDays: form.tokenExpiresInDays ?? '',
    };
    try {
      const { token } = services.apiTokens.create(values, memberIdOf(c.var.actor), c.var.actor);
      return page(c, { newToken: token });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // The service names fields as the API does; the form's inputs carry a `token` prefix.
      const errors = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [TOKEN_FIELDS[k] ?? k, v]));
      c.header('HX-Push-Url', 'false');
      return page(c, { errors, tokenValues: values }, 422);
    }
  });

  app.post('/settings/tokens/:id/revoke', (c) => {
    services.apiTokens.revoke(c.req.param('id'), c.var.actor);
    setFlash(c, 'ok', 'Token revoked.');
    return redirectTo(c, '/settings');
  });

  app.post('/settings/password', async (c) => {
    const form = await formOf(c);
    return attempt(c, async () => {
      const { cookie } = await services.auth.changePassword(
        c.var.session!.admin!.id,
        {
          currentPassword: form.currentPassword ?? '',
          newPassword: form.newPassword ?? '',
          confirmPassword: form.confirmPassword ?? '',
        },
        { session: c.var.session!.session, meta: signInMeta(c) },
      );
      // Every old session is gone, this browser's too; it carries on in a new one.
      setSessionCookie(c, deps, 'admin', cookie);
      setFlash(c, 'ok', 'Password changed. Your other sessions were signed out.');
      return redirectTo(c, '/settings');
    });
  });

  app.post('/settings/sign-out-everywhere', (c) => {
    services.auth.signOutEverywhere(c.var.session!.admin!.id);
    clearSessionCookie(c, deps, 'admin');
    return redirectTo(c, '/login');
  });

  return app;
}
