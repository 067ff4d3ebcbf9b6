// The HTML part of Herald's emails: one simple, table-free layout that mail clients render alike.
// Every piece of text is escaped here (titles and account names come from people and networks).
import type { MailContent } from './email-text.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Only http(s) links become anchors; anything else is shown as text. */
function href(url: string): string | null {
  return /^https?:\/\//i.test(url) ? esc(url) : null;
}

function link(url: string, label: string, style = ''): string {
  const target = href(url);
  return target ? `<a href="${target}"${style ? ` style="${style}"` : ''}>${esc(label)}</a>` : esc(label);
}

const BUTTON =
  'display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px';

export function mailHtml(content: MailContent): string {
  const items = content.items?.length
    ? `<ul style="padding-left:20px">${content.items
        .map(
          (item) =>
            '<li style="margin-bottom:8px">' +
            `<strong>${item.url ? link(item.url, item.title) : esc(item.title)}</strong>` +
            `${item.text ? `<br>${esc(item.text)}` : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  // Inline PNGs (attachments with these Content-IDs): mail clients do not show SVG.
  const charts = (content.charts ?? [])
    .map(
      (chart) =>
        `<p><img src="cid:${esc(chart.cid)}" alt="${esc(chart.title)}" width="560" ` +
        'style="max-width:100%;height:auto;border:1px solid #e5e7eb"></p>',
    )
    .join('');
  const action = content.action
    ? `<p style="margin:24px 0">${link(content.action.url, content.action.label, BUTTON)}</p>`
    : '';
  return [
    '<!doctype html>',
    `<html lang="${esc(content.lang)}"><head><meta charset="utf-8"><title>${esc(content.subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#111827;line-height:1.5">',
    '<div style="max-width:560px;margin:0 auto;padding:24px">',
    `<h1 style="font-size:20px">${esc(content.heading)}</h1>`,
    ...content.paragraphs.map((p) => `<p>${esc(p)}</p>`),
    items,
    charts,
    action,
    '<hr style="border:none;border-top:1px solid #e5e7eb">',
    `<p style="font-size:12px;color:#6b7280">${content.footer.filter(Boolean).map(esc).join('<br>')}<br>`,
    `${link(content.unsubscribe.url, content.unsubscribe.label, 'color:#6b7280')}</p>`,
    '</div></body></html>',
  ].join('\n');
}
