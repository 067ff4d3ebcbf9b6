import { Hono, type Context } from 'hono';
import { ConflictError, type FieldErrors } from '../../../domain/errors.js';
import { SUBSCRIBABLE_EVENT_TYPES } from '../../../domain/events.js';
import { timeZones } from '../../../domain/validation.js';
import { EmailSettingsPage } from '../../../../views/pages/email-settings.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { submitForm } from '../../forms.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

const PATH = '/settings/notifications/email';

/** "My email notifications": the signed-in admin's own choices (Settings → Notifications links here). */
export function emailSettingsRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();
  const adminId = (c: Context<AppEnv>) => c.var.session!.admin!.id;

  app.get(PATH, (c) =>
    render(
      c,
      <EmailSettingsPage page={pageContext(c)} data={services.emailPrefs.view(adminId(c))} zones={timeZones()} />,
    ),
  );

  app.post(PATH, async (c) => {
    const form = await formOf(c);
    const modes = Object.fromEntries(
      SUBSCRIBABLE_EVENT_TYPES.flatMap((type) => (form[`mode.${type}`] ? [[type, form[`mode.${type}`]]] : [])),
    );
    return submitForm(
      c,
      () => {
        services.emailPrefs.update(
          adminId(c),
          {
            timezone: form.timezone ?? '',
            digestHour: form.digestHour ?? '',
            modes,
          },
          c.var.actor,
        );
        setFlash(c, 'ok', 'Saved.');
        return redirectTo(c, PATH);
      },
      (errors, message, status) => {
        // What was typed stays on the page, with each error next to its field.
        const saved = services.emailPrefs.view(adminId(c));
        const fields: FieldErrors = {};
        for (const [key, list] of Object.entries(errors))
          (fields[key.replace(/^modes\./, 'mode.')] ??= []).push(...list);
        const data = {
          ...saved,
          timezone: form.timezone ?? '',
          digestHour: form.digestHour ?? '',
          types: saved.types.map((t) => (modes[t.type] ? { ...t, mode: modes[t.type] as typeof t.mode } : t)),
        };
        return render(
          c,
          <EmailSettingsPage page={pageContext(c)} data={data} zones={timeZones()} errors={fields} message={message} />,
          status as 422,
        );
      },
    );
  });

  app.post(`${PATH}/test`, (c) => {
    const admin = c.var.session!.admin!;
    try {
      services.emailPrefs.sendTest(admin.id);
      setFlash(c, 'ok', `A test mail to ${admin.email} is on its way; the delivery log shows when it left.`);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, PATH);
  });

  return app;
}
