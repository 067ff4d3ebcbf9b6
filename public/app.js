// Herald's page behaviour, kept out of the HTML so the Content-Security-Policy can forbid inline
// scripts. Every feature here is progressive: the pages work without it.
(function () {
  'use strict';

  function each(selector, root, fn) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll(selector), fn);
    if (root && root.matches && root.matches(selector)) fn(root);
  }

  // Success messages fade after a while; errors stay until the next page.
  function initFlash(root) {
    each('.notice-ok[data-dismissable]', root, function (el) {
      setTimeout(function () { if (el.parentNode) el.parentNode.removeChild(el); }, 6000);
    });
  }

  // Copy buttons: data-copy="#selector of an input".
  function initCopy(root) {
    each('[data-copy]', root, function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = '1';
      button.addEventListener('click', function () {
        var input = document.querySelector(button.getAttribute('data-copy'));
        if (!input) return;
        input.select();
        var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 2000); };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
        else { document.execCommand('copy'); done(); }
      });
    });
  }

  // Live caption counters against the target platform's limits (data-max-* on the textarea).
  var HASHTAG = /(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
  var MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu;
  function updateCounter(textarea) {
    var out = document.querySelector(textarea.getAttribute('data-counter'));
    if (!out) return;
    var text = textarea.value;
    var utf16 = textarea.getAttribute('data-utf16') === 'true';
    var chars = utf16 ? text.length : Array.from(text).length;
    var tags = (text.match(HASHTAG) || []).length;
    var mentions = (text.match(MENTION) || []).length;
    var parts = [];
    var over = false;
    function part(count, max, label) {
      if (!max) { parts.push(count + ' ' + label); return; }
      var limit = Number(max);
      if (count > limit) over = true;
      parts.push(count.toLocaleString('en') + ' / ' + limit.toLocaleString('en') + ' ' + label);
    }
    part(chars, textarea.getAttribute('data-max-chars'), 'characters');
    part(tags, textarea.getAttribute('data-max-hashtags'), 'hashtags');
    part(mentions, textarea.getAttribute('data-max-mentions'), 'mentions');
    out.textContent = parts.join(' · ');
    out.classList.toggle('over', over);
  }
  function initCounters(root) {
    each('textarea[data-counter]', root, function (textarea) {
      if (!textarea.dataset.bound) {
        textarea.dataset.bound = '1';
        textarea.addEventListener('input', function () { updateCounter(textarea); });
      }
      updateCounter(textarea);
    });
    // The account chooser carries each platform's limits; copy them onto the caption box.
    each('select[data-limits-for]', root, function (select) {
      if (select.dataset.bound) return;
      select.dataset.bound = '1';
      select.addEventListener('change', function () {
        var target = document.getElementById(select.getAttribute('data-limits-for'));
        var option = select.options[select.selectedIndex];
        if (!target || !option) return;
        ['platform', 'max-chars', 'max-hashtags', 'max-mentions', 'utf16'].forEach(function (k) {
          target.setAttribute('data-' + k, option.getAttribute('data-' + k) || '');
        });
        // The chosen platform's own post fields, and only those, are shown and sent.
        each('fieldset[data-post-options]', select.form, function (fieldset) {
          var forAccount = fieldset.getAttribute('data-post-options-account');
          var on = forAccount
            ? forAccount === option.value
            : fieldset.getAttribute('data-post-options') === option.getAttribute('data-platform');
          fieldset.disabled = !on;
          fieldset.hidden = !on;
        });
        updateCounter(target);
      });
    });
  }

  // "Select all" for bulk actions.
  function initCheckAll(root) {
    each('[data-check-all]', root, function (box) {
      if (box.dataset.bound) return;
      box.dataset.bound = '1';
      box.addEventListener('change', function () {
        var form = box.closest('form');
        each('input[type=checkbox][name="' + box.getAttribute('data-check-all') + '"]', form, function (c) { c.checked = box.checked; });
      });
    });
  }

  // Buttons that ask first (the form's own hx-confirm would ask for every button).
  function initConfirm(root) {
    each('button[data-confirm]', root, function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = '1';
      button.addEventListener('click', function (event) {
        if (!window.confirm(button.getAttribute('data-confirm'))) event.preventDefault();
      });
    });
  }

  // The rule form shows the picker or the raw cron field, whichever is chosen.
  function initScheduleMode(root) {
    each('fieldset.schedule', root, function (fieldset) {
      if (fieldset.dataset.bound) return;
      fieldset.dataset.bound = '1';
      fieldset.classList.add('js');
      fieldset.addEventListener('change', function (event) {
        if (event.target && event.target.name === 'scheduleMode') fieldset.setAttribute('data-mode', event.target.value);
      });
    });
  }

  // Filter selects that apply themselves.
  function initAutosubmit(root) {
    each('select[data-autosubmit]', root, function (select) {
      if (select.dataset.bound) return;
      select.dataset.bound = '1';
      select.addEventListener('change', function () {
        var form = select.closest('form');
        if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    });
  }

  function init(root) {
    initFlash(root);
    initCopy(root);
    initCounters(root);
    initCheckAll(root);
    initConfirm(root);
    initScheduleMode(root);
    initAutosubmit(root);
  }

  // Screen readers hear what a swap did through the page's polite live region (#announcer); the
  // text is set a moment after clearing it so the same message twice is still read.
  function announce(text) {
    var region = document.getElementById('announcer');
    text = (text || '').replace(/\s+/g, ' ').trim();
    if (!region || !text) return;
    region.textContent = '';
    setTimeout(function () { region.textContent = text; }, 100);
  }

  function focusQuietly(el) {
    if (!el) return;
    if (!el.matches('a[href], button, input, select, textarea, summary, [tabindex]')) el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: false });
  }

  // A form that came back with errors: focus its first invalid field (its error is tied to it by
  // aria-describedby, so it is read with it) and say how many fields need attention.
  function focusErrors(root) {
    var invalid = root.querySelectorAll('[aria-invalid="true"]');
    if (!invalid.length) return false;
    focusQuietly(invalid[0]);
    announce(invalid.length === 1 ? 'One field needs attention.' : invalid.length + ' fields need attention.');
    return true;
  }

  // After an htmx swap, focus goes where the person's attention goes (WCAG 2.4.3) and the result is
  // announced (WCAG 4.1.3): a whole page (hx-boost) starts at its heading; a swapped part keeps focus
  // if its element survived, else the new part's first control (or heading, or itself) takes it. The
  // message is the part's notice or status, or its data-announce, else "Updated.".
  var focusedBeforeSwap = null;
  document.addEventListener('htmx:beforeSwap', function () { focusedBeforeSwap = document.activeElement; });
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.target;
    // An outerHTML swap leaves the old element detached; its replacement carries the same id.
    if (target && !document.contains(target) && target.id) target = document.getElementById(target.id);
    if (!target) return;
    if (focusErrors(target)) return;
    if (target === document.body) {
      var flash = document.querySelector('#main .notice');
      focusQuietly(document.querySelector('main h1'));
      announce(flash ? flash.textContent : document.title);
      return;
    }
    var found = target.querySelector('.notice, [role="status"], [role="alert"], [data-announce]');
    if (!found && target.matches('[data-announce]')) found = target;
    var message = found && (found.getAttribute('data-announce') || found.textContent);
    var lost = !focusedBeforeSwap || !document.contains(focusedBeforeSwap) || focusedBeforeSwap === document.body;
    if (lost) {
      focusQuietly(
        target.querySelector('button, a[href], input:not([type=hidden]), select, textarea, summary') ||
          target.querySelector('h1, h2, h3') ||
          target,
      );
    }
    announce(message || 'Updated.');
  });

  document.addEventListener('DOMContentLoaded', function () {
    init(document);
    // A page loaded with a form's errors (a 422 without htmx) starts at the first of them.
    var main = document.getElementById('main');
    if (main) focusErrors(main);
  });
  document.addEventListener('htmx:load', function (event) { init(event.target); });
})();
