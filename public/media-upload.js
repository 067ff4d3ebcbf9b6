// The media library's uploads: drop or choose several files, each sent in its own request with a
// progress bar, then the grid is refreshed. Without this script the form posts all files at once.
// Listeners sit on the document, so they keep working after htmx swaps the page's body.
(function () {
  'use strict';

  var PARALLEL = 2;

  function zoneOf(el) {
    return el && el.closest ? el.closest('form[data-upload-url]') : null;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || '';
    } catch (e) {
      return '';
    }
  }

  function mark() {
    var zone = document.querySelector('form[data-upload-url]');
    if (zone) zone.classList.add('js-upload');
  }

  function row(list, file) {
    var li = document.createElement('li');
    var name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', 'Upload of ' + file.name);
    var status = document.createElement('span');
    status.className = 'upload-status';
    status.textContent = 'waiting';
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function sendOne(url, file, view, done) {
    var xhr = new XMLHttpRequest();
    var body = new FormData();
    body.append('file', file, file.name);
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      view.bar.value = Math.round((e.loaded / e.total) * 100);
      view.status.textContent = view.bar.value + '%';
    };
    xhr.onload = function () {
      if (xhr.status === 201) {
        view.bar.value = 100;
        view.status.textContent = 'uploaded';
        view.li.className = 'done';
      } else {
        var message = 'failed (' + xhr.status + ')';
        try {
          message = JSON.parse(xhr.responseText).error.message;
        } catch (e) { /* not JSON: keep the status */ }
        view.status.textContent = message;
        view.li.className = 'failed';
      }
      done();
    };
    xhr.onerror = function () {
      view.status.textContent = 'the connection failed';
      view.li.className = 'failed';
      done();
    };
    view.status.textContent = '0%';
    xhr.send(body);
  }

  // The grid as the server now has it, keeping the search and page the admin is on.
  function refreshGrid() {
    fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('media-grid');
        var grid = document.getElementById('media-grid');
        if (!next || !grid) return;
        grid.replaceWith(next);
        if (window.htmx) window.htmx.process(next);
        document.dispatchEvent(new CustomEvent('media:refreshed'));
      });
  }

  function send(zone, fileList) {
    var files = Array.prototype.slice.call(fileList || []);
    if (!files.length) return;
    var list = zone.querySelector('.upload-progress');
    var queue = files.map(function (f) { return { file: f, view: row(list, f) }; });
    var running = 0;
    var left = queue.length;
    function next() {
      while (running < PARALLEL && queue.length) {
        var item = queue.shift();
        running++;
        sendOne(zone.getAttribute('data-upload-url'), item.file, item.view, function () {
          running--;
          left--;
          if (left === 0) refreshGrid();
          else next();
        });
      }
    }
    next();
  }

  document.addEventListener('dragover', function (e) {
    var zone = zoneOf(e.target);
    if (!zone) return;
    e.preventDefault();
    zone.classList.add('dragging');
  });
  document.addEventListener('dragleave', function (e) {
    var zone = zoneOf(e.target);
    if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove('dragging');
  });
  document.addEventListener('drop', function (e) {
    var zone = zoneOf(e.target);
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove('dragging');
    send(zone, e.dataTransfer && e.dataTransfer.files);
  });
  document.addEventListener('change', function (e) {
    var zone = zoneOf(e.target);
    if (!zone || e.target.type !== 'file') return;
    send(zone, e.target.files);
    e.target.value = '';
  });
  document.addEventListener('submit', function (e) {
    var zone = e.target.matches && e.target.matches('form[data-upload-url]') ? e.target : null;
    if (!zone) return;
    e.preventDefault();
    send(zone, zone.querySelector('input[type=file]').files);
  });
  document.addEventListener('htmx:afterSettle', mark);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mark);
  else mark();
})();
