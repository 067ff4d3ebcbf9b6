import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST_CSV_IMPORT_COLUMNS } from '../../src/domain/post-csv.js';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const clock = new ManualClock(Date.parse('2026-11-20T12:00:00Z'));
const HEADER = POST_CSV_IMPORT_COLUMNS.join(',');

let t: TestHerald;
let browser: PageClient;
let clientId: string;

const postCount = () => (t.herald.database.sqlite.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n;

/** The page's upload form as a browser sends it: multipart, with the CSRF token in the query. */
async function upload(csv: string, options: { csrf?: boolean } = {}) {
  const body = new FormData();
  body.set('file', new Blob([csv], { type: 'text/csv' }), 'plan.csv');
  const query = options.csrf === false ? '' : `?_csrf=${encodeURIComponent(browser.csrf!)}`;
  const res = await browser.request(`/clients/${clientId}/import${query}`, {
    method: 'POST',
    headers: { origin: TEST_ORIGIN },
    body,
  });
  return { res, html: await res.text() };
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = seedClient(t).client.id;
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(() => t.close());

describe('the client import page', () => {
  it('is linked from the client page and offers a template for the client, which the import reads', async () => {
    expect((await browser.get(`/clients/${clientId}`)).html).toContain(`href="/clients/${clientId}/import"`);
    const { res, html } = await browser.get(`/clients/${clientId}/import`);
    expect(res.status).toBe(200);
    expect(html).toContain(`href="/clients/${clientId}/import/template.csv"`);
    const template = await browser.request(`/clients/${clientId}/import/template.csv`);
    expect(template.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(template.headers.get('content-disposition')).toMatch(/attachment/);
    const text = await template.text();
    const rows = parse(text) as string[][];
    expect(rows[0]).toEqual([...POST_CSV_IMPORT_COLUMNS]);
    expect(rows.slice(1).map((r) => [r[1], r[2], r[3], r[9]])).toEqual([
      ['facebook', 'Acme Page', '2026-11-21 09:00', 'scheduled'],
      ['instagram', 'acme.bakery', '', 'draft'],
    ]);
    // Uploaded as it is (without the example photo address, which points nowhere): the first example
    // (its caption on lines 2 and 3) is a good post; the second is an Instagram post without a photo.
    const { html: checked } = await upload(text.replace('https://example.com/photo.jpg', ''));
    expect(checked).toContain('1 of 2 rows have errors');
    expect(checked).toMatch(/<tr id="line-2"><td>2<\/td><td>OK<\/td>/);
    expect(checked).toMatch(/<tr id="line-4"><td>4<\/td><td><ul class="field-error"><li>media_urls: /);
  });

  it('shows the dry run with each line and its errors, escaped, and writes nothing', async () => {
    await browser.get(`/clients/${clientId}/import`);
    const before = postCount();
    const { res, html } = await upload(
      [
        HEADER,
        ',facebook,Acme Page,2026-12-01 09:00,"=HYPERLINK(""http://evil.test"",""<b>click</b>"")",,,,,scheduled',
        ',facebook,Acme Page,,"a quoted',
        'newline",,,<script>x</script>,,draft',
      ].join('\r\n'),
    );
    expect(res.status).toBe(200);
    expect(postCount()).toBe(before);
    expect(html).toContain('<tr id="line-2">');
    expect(html).toContain('<tr id="line-3">');
    expect(html).toContain('=HYPERLINK(&quot;http://evil.test&quot;,&quot;&lt;b&gt;click&lt;/b&gt;&quot;)');
    expect(html).not.toContain('<b>click</b>');
    expect(html).toContain('labels: unknown labels: &lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('1 of 2 rows have errors; nothing was written.');
    expect(html).not.toContain('/commit"');
  });

  it('confirms a clean file with "Import N posts" (CSRF) and links each line to its post', async () => {
    await browser.get(`/clients/${clientId}/import`);
    const { html } = await upload(
      [HEADER, ',facebook,Acme Page,2026-12-01 09:00,One,,,,,scheduled', ',facebook,Acme Page,,Two,,,,,draft'].join(
        '\n',
      ),
    );
    expect(html).toContain('Import 2 posts');
    const action = /action="(\/clients\/[^"]+\/commit)"/.exec(html)![1]!;
    const before = postCount();
    // Without the CSRF token nothing happens.
    expect((await browser.post(action, {}, { csrf: false })).status).toBe(403);
    expect(postCount()).toBe(before);
    const res = await browser.post(action, {});
    expect(res.status).toBe(200);
    const done = await res.text();
    expect(done).toContain('Imported 2 posts.');
    expect(postCount()).toBe(before + 2);
    expect(done.match(/href="\/posts\/post_[^"]+"/g)).toHaveLength(2);
    // A second confirmation (the back button) is refused, saying why.
    const again = await browser.post(action, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This import was committed already.');
    expect(postCount()).toBe(before + 2);
  });

  it('refuses a file it cannot read with the reason on the page; an upload without its token is refused', async () => {
    await browser.get(`/clients/${clientId}/import`);
    const { res, html } = await upload('caption,colour\nx,y\n');
    expect(res.status).toBe(400);
    expect(html).toContain('unknown columns: &quot;colour&quot;');
    expect((await upload(`${HEADER}\n`, { csrf: false })).res.status).toBe(403);
  });
});
