import type { Child } from 'hono/jsx';

export type Errors = Record<string, string[]> | undefined;

/** A hidden CSRF field for plain (non-htmx) form posts. */
export function Csrf({ token }: { token: string | undefined }) {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

export function FieldErrors({ errors, name }: { errors: Errors; name: string }) {
  const list = errors?.[name];
  if (!list?.length) return null;
  return (
    <small class="field-error" id={`${name}-error`}>
      {list.join(' ')}
    </small>
  );
}

interface InputProps {
  label: string;
  name: string;
  value?: string | number | null | undefined;
  type?: string;
  errors?: Errors;
  hint?: Child;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
  list?: string;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  id?: string;
}

export function Input({
  label,
  name,
  value,
  type = 'text',
  errors,
  hint,
  required,
  placeholder,
  autocomplete,
  list,
  min,
  max,
  step,
  id,
}: InputProps) {
  const invalid = errors?.[name]?.length ? 'true' : undefined;
  return (
    <label>
      {label}
      <input
        type={type}
        name={name}
        id={id}
        value={value ?? ''}
        required={required}
        placeholder={placeholder}
        autocomplete={autocomplete}
        list={list}
        min={min}
        max={max}
        step={step}
        aria-invalid={invalid}
        aria-describedby={invalid ? `${name}-error` : undefined}
      />
      {hint ? <small>{hint}</small> : null}
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

export function TextArea({
  label,
  name,
  value,
  errors,
  hint,
  rows = 3,
  id,
  required,
}: {
  label: string;
  name: string;
  value?: string | null;
  errors?: Errors;
  hint?: Child;
  rows?: number;
  id?: string;
  required?: boolean;
}) {
  const invalid = errors?.[name]?.length ? 'true' : undefined;
  return (
    <label>
      {label}
      <textarea
        name={name}
        rows={rows}
        id={id}
        required={required}
        aria-invalid={invalid}
        aria-describedby={invalid ? `${name}-error` : undefined}
      >
        {value ?? ''}
      </textarea>
      {hint ? <small>{hint}</small> : null}
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

export function Select({
  label,
  name,
  value,
  options,
  errors,
  hint,
  id,
}: {
  label: string;
  name: string;
  value?: string | null;
  options: ReadonlyArray<readonly [string, string]>;
  errors?: Errors;
  hint?: Child;
  id?: string;
}) {
  const invalid = errors?.[name]?.length ? 'true' : undefined;
  return (
    <label>
      {label}
      <select name={name} id={id} aria-invalid={invalid} aria-describedby={invalid ? `${name}-error` : undefined}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === (value ?? '')}>
            {text}
          </option>
        ))}
      </select>
      {hint ? <small>{hint}</small> : null}
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

/** Form-level errors that belong to no single field (and field errors with no visible field). */
export function FormErrors({
  errors,
  message,
  shown = [],
}: {
  errors: Errors;
  message?: string | undefined;
  shown?: string[];
}) {
  const other = Object.entries(errors ?? {}).filter(([k]) => !shown.includes(k));
  if (!message && other.length === 0) return null;
  return (
    <div class="notice notice-error" role="alert">
      {message ? <p>{message}</p> : null}
      {other.length ? (
        <ul>
          {other.map(([k, v]) => (
            <li>
              {k === '_' ? '' : `${k}: `}
              {v.join(' ')}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The "All clients" select of a list's filter bar, submitting the form when changed. */
export function ClientFilter({
  clients,
  selected,
}: {
  clients: ReadonlyArray<{ id: string; name: string }>;
  selected: string | undefined;
}) {
  return (
    <select name="clientId" aria-label="Client" data-autosubmit="true">
      <option value="">All clients</option>
      {clients.map((c) => (
        <option value={c.id} selected={c.id === selected}>
          {c.name}
        </option>
      ))}
    </select>
  );
}
