// The composer's page behaviour (the CSP forbids inline scripts): snippets inserted at the cursor,
// and the group editor's member toggles. Progressive: the forms work without it.
(function () {
  'use strict';

  function each(selector, root, fn) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll(selector), fn);
    if (root && root.matches && root.matches(selector)) fn(root);
  }

  // The textarea a picker writes into: the last focused one of its form, else its data-target.
  var lastField = null;
  document.addEventListener('focusin', function (event) {
    var el = event.target;
    if (el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type === 'text'))) lastField = el;
  });

  function insertAtCursor(field, text) {
    var start = field.selectionStart == null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd == null ? field.value.length : field.selectionEnd;
    var before = field.value.slice(0, start);
    var after = field.value.slice(end);
    var gap = before && !/\s$/.test(before) ? ' ' : '';
    field.value = before + gap + text + after;
    var at = (before + gap + text).length;
    field.focus();
    field.setSelectionRange(at, at);
    // The counters and the live preview listen for input.
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function initSnippets(root) {
    each('[data-snippet-picker]', root, function (picker) {
      if (picker.dataset.bound) return;
      picker.dataset.bound = '1';
      var select = picker.querySelector('[data-snippet-select]');
      var button = picker.querySelector('[data-snippet-insert]');
      button.addEventListener('click', function () {
        if (!select.value) return;
        var form = picker.closest('form');
        var field = lastField && form && form.contains(lastField) ? lastField : document.querySelector(picker.getAttribute('data-target'));
        if (!field) return;
        insertAtCursor(field, select.value);
        select.value = '';
      });
    });
  }

  // The group editor: a member's section shows only while its account is toggled on.
  function initMembers(root) {
    each('input[data-member-toggle]', root, function (box) {
      if (box.dataset.bound) return;
      box.dataset.bound = '1';
      var sync = function () {
        var section = document.getElementById(box.getAttribute('data-member-toggle'));
        if (!section) return;
        section.hidden = !box.checked;
        each('input, select, textarea', section, function (el) { el.disabled = !box.checked; });
      };
      box.addEventListener('change', sync);
      sync();
    });
  }

  // The post editor: the surfaces and the first comment follow the chosen account (its
  // option carries data-surfaces and data-comment-surfaces) and the chosen surface.
  function initPostSurface(root) {
    each('form#post-form', root, function (form) {
      if (form.dataset.surfaceBound) return;
      form.dataset.surfaceBound = '1';
      var account = form.querySelector('#account-select');
      var surface = form.querySelector('select[name=surface]');
      var comment = form.querySelector('[data-first-comment-field]');
      function facts() {
        return account ? account.options[account.selectedIndex] : form.querySelector('[data-account-facts]');
      }
      function sync(rebuild) {
        var chosen = facts();
        if (!chosen) return;
        if (rebuild && surface) {
          var list = JSON.parse(chosen.getAttribute('data-surfaces') || '[]');
          var keep = surface.value;
          surface.textContent = '';
          list.forEach(function (s) {
            var option = document.createElement('option');
            option.value = s.surface;
            option.textContent = s.label;
            option.selected = s.surface === keep;
            surface.appendChild(option);
          });
          var field = surface.closest('[data-surface-field]');
          if (field) field.hidden = list.length < 2;
        }
        if (comment) {
          var where = surface ? surface.value : 'feed';
          var takes = (chosen.getAttribute('data-comment-surfaces') || '').split(',').indexOf(where) >= 0;
          var text = comment.querySelector('textarea');
          comment.hidden = !takes && !(text && text.value);
        }
      }
      if (account) account.addEventListener('change', function () { sync(true); });
      if (surface) surface.addEventListener('change', function () { sync(false); });
    });
  }

  function init(root) {
    initPostSurface(root);
    initSnippets(root);
    initMembers(root);
  }

  document.addEventListener('DOMContentLoaded', function () { init(document); });
  document.addEventListener('htmx:load', function (event) { init(event.target); });
})();
