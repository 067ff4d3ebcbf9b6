/**
 * A label's name beside a dot of its colour. The colour goes in an SVG `fill` attribute, not a
 * style (the Content-Security-Policy forbids inline styles); it is always `#rrggbb`, checked on
 * the way in.
 */
export function LabelChip({ name, color }: { name: string; color: string }) {
  return (
    <span class="label-chip">
      <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
        <circle cx="6" cy="6" r="6" fill={color} />
      </svg>{' '}
      {name}
    </span>
  );
}
