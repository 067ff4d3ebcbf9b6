import type { ConnectForm } from '../../src/platforms/network.js';
import { Csrf } from './forms.js';

/** A form-kind connection's fields, posted to `/auth/<id>/form` (`query`: `?clientId=` for an admin). */
export function ConnectFormFields({
  id,
  label,
  form,
  csrf,
  query = '',
}: {
  id: string;
  label: string;
  form: ConnectForm;
  csrf: string;
  query?: string;
}) {
  return (
    <form method="post" action={`/auth/${id}/form${query}`} hx-boost="false" class="connect-form">
      <Csrf token={csrf} />
      <p class="muted">{form.intro}</p>
      {form.fields.map((f) => (
        <label>
          {f.label}
          <input
            type={f.type}
            name={f.name}
            required
            {...(f.placeholder ? { placeholder: f.placeholder } : {})}
            {...(f.autocomplete ? { autocomplete: f.autocomplete } : {})}
          />
          {f.hint ? <small>{f.hint}</small> : null}
        </label>
      ))}
      {form.help ? (
        <p class="muted">
          <a href={form.help.url} target="_blank" rel="noopener noreferrer">
            {form.help.text}
          </a>
        </p>
      ) : null}
      <button type="submit">Connect {label}</button>
    </form>
  );
}
