// Herald's page behaviour, kept out of the HTML so the Content-Security-Policy can forbid inline
// scripts. Every feature here is progressive: the pages work without it.
(function () {
  'use strict';
  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  // Dismiss success messages after a while.
  function initFlash(root) {
    each('.notice-ok[data-dismissable]', root, function (el) {
      setTimeout(function () { el.remove(); }, 6000);
    });
  }

  function init(root) {
    initFlash(root);
  }

  document.addEventListener('DOMContentLoaded', function () { init(document); });
  document.addEventListener('htmx:load', function (event) { init(event.target); });
})();
