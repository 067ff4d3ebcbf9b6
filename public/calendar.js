// The calendar's drag and drop (docs/planning.md#calendar). A dropped card fills the calendar's
// hidden move form and submits it, so htmx posts it (CSRF header included) and swaps the calendar
// with the answer; without this script each card's "Move" form does the same. No inline handlers.
(() => {
  let dragged = null;

  const cardOf = (el) => (el instanceof Element ? el.closest('.cal-card[data-kind]') : null);
  const dropOf = (el) => (el instanceof Element ? el.closest('.cal-drop') : null);

  function clearMarks() {
    for (const el of document.querySelectorAll('.cal-drop.drop-over')) el.classList.remove('drop-over');
    for (const el of document.querySelectorAll('.cal-card.dragging')) el.classList.remove('dragging');
  }

  /** Posts the move of `card` to the day (and, in the week, the hour) of `target`. */
  function move(card, target) {
    const form = document.getElementById('cal-drop-form');
    if (!form || !card || !target) return;
    form.elements.kind.value = card.dataset.kind;
    form.elements.id.value = card.dataset.id;
    form.elements.version.value = card.dataset.version;
    form.elements.day.value = target.dataset.date;
    // A month day keeps the post's time of day; a week slot sets the hour.
    form.elements.time.value = target.dataset.time || '';
    form.requestSubmit();
  }

  document.addEventListener('dragstart', (e) => {
    const card = cardOf(e.target);
    if (!card) return;
    dragged = card;
    card.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.dataset.id);
  });
  document.addEventListener('dragover', (e) => {
    const target = dropOf(e.target);
    if (!dragged || !target) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    for (const el of document.querySelectorAll('.cal-drop.drop-over')) if (el !== target) el.classList.remove('drop-over');
    target.classList.add('drop-over');
  });
  document.addEventListener('drop', (e) => {
    const target = dropOf(e.target);
    if (!dragged || !target) return;
    e.preventDefault();
    const card = dragged;
    dragged = null;
    clearMarks();
    move(card, target);
  });
  document.addEventListener('dragend', () => {
    dragged = null;
    clearMarks();
  });

  // A click on an empty part of a day or slot composes a post there (when a client is chosen).
  document.addEventListener('click', (e) => {
    const target = dropOf(e.target);
    if (!target || !target.dataset.compose) return;
    if (e.target !== target && !e.target.classList.contains('cal-date')) return;
    window.location.assign(target.dataset.compose);
  });

  // Keyboard pick-up and drop: on a focused card, "m" picks it up; on a focused day or slot
  // (tabbing reaches them once a card is picked up), Enter drops it; Escape puts it down.
  let picked = null;
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (e.key === 'Escape' && picked) {
      picked.classList.remove('picked');
      picked = null;
      for (const el of document.querySelectorAll('.cal-drop[tabindex]')) el.removeAttribute('tabindex');
      return;
    }
    const card = cardOf(e.target);
    if (card && (e.key === 'm' || e.key === 'M')) {
      e.preventDefault();
      picked = card;
      card.classList.add('picked');
      for (const el of document.querySelectorAll('.cal-drop')) el.setAttribute('tabindex', '0');
      return;
    }
    const target = dropOf(e.target);
    if (picked && target === e.target && e.key === 'Enter') {
      e.preventDefault();
      const moving = picked;
      picked = null;
      move(moving, target);
    }
  });
})();
