/**
 * A button that runs a WebAuthn ceremony through /static/passkeys.js: it asks `options` for the challenge, lets the
 * browser talk to the authenticator, posts the answer to `finish` and follows the redirect it gets back. Without
 * JavaScript or WebAuthn it stays hidden (the script shows it).
 */
export function PasskeyButton({
  ceremony,
  options,
  finish,
  next,
  label,
  nameInput,
  primary,
}: {
  ceremony: 'signin' | 'verify' | 'register';
  options: string;
  finish: string;
  next?: string;
  label: string;
  /** Registration: the id of the input holding the passkey's name. */
  nameInput?: string;
  primary?: boolean;
}) {
  const errorId = `passkey-error-${ceremony}`;
  return (
    <div class="passkey" data-passkey-box hidden>
      <button
        type="button"
        class={primary ? undefined : 'secondary'}
        data-passkey={ceremony}
        data-options={options}
        data-finish={finish}
        data-next={next}
        data-name-input={nameInput}
        data-error={errorId}
      >
        {label}
      </button>
      <p class="field-error" id={errorId} role="alert" hidden></p>
    </div>
  );
}
