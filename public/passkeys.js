// Passkey buttons (views/components/passkey-button.tsx): each runs one WebAuthn ceremony with
// @simplewebauthn/browser (served from /static/vendor): fetch the options, let the browser ask the
// authenticator, post the answer, follow the redirect the server sends back. Buttons stay hidden in
// browsers without WebAuthn, where the password and code forms remain.
(function () {
  'use strict';

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || '';
    } catch (e) {
      return '';
    }
  }

  function post(url, body) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    var token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
    return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}), credentials: 'same-origin' })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) throw new Error(data.error || 'The server refused the request (' + res.status + ').');
          return data;
        });
      });
  }

  function show(root) {
    var supported = window.PublicKeyCredential && window.SimpleWebAuthnBrowser;
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll('[data-passkey-box]'), function (box) {
      if (supported) box.hidden = false;
    });
  }

  function run(button) {
    var lib = window.SimpleWebAuthnBrowser;
    var ceremony = button.getAttribute('data-passkey');
    var errorBox = document.getElementById(button.getAttribute('data-error'));
    var next = button.getAttribute('data-next') || undefined;
    var nameInput = button.getAttribute('data-name-input');
    var name = nameInput ? (document.getElementById(nameInput) || {}).value : undefined;
    if (errorBox) { errorBox.hidden = true; errorBox.textContent = ''; }
    if (ceremony === 'register') name = (name || '').trim() || 'Passkey';
    button.disabled = true;
    post(button.getAttribute('data-options'))
      .then(function (options) {
        return ceremony === 'register'
          ? lib.startRegistration({ optionsJSON: options })
          : lib.startAuthentication({ optionsJSON: options });
      })
      .then(function (response) {
        return post(button.getAttribute('data-finish'), { response: response, next: next, name: name });
      })
      .then(function (data) {
        window.location.assign(data.redirect || '/');
      })
      .catch(function (err) {
        button.disabled = false;
        var text = err && err.name === 'NotAllowedError'
          ? 'The passkey request was cancelled or timed out.'
          : (err && err.message) || 'The passkey did not work.';
        if (errorBox) { errorBox.textContent = text; errorBox.hidden = false; }
      });
  }

  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest ? event.target.closest('button[data-passkey]') : null;
    if (!button) return;
    event.preventDefault();
    run(button);
  });
  document.addEventListener('DOMContentLoaded', function () { show(document); });
  document.addEventListener('htmx:load', function (event) { show(event.target); });
})();
