import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FetchRefused, isPrivateAddress, resolvedAddressProblem, safeDownload } from '../../src/lib/safe-fetch.js';

let server: Server;
let base: string;
let port: number;
/** Every request that reached the local server, by path; cleared before each test. */
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/ok.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(1000, 1));
    if (req.url === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/to-ok') return void res.writeHead(301, { location: '/ok.jpg' }).end();
    if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(5000));
    if (req.url === '/big-undeclared') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
      return void res.end();
    }
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  hits.length = 0;
});

const allowed = (hosts: string[] = ['127.0.0.1']) => ({ allowedHosts: hosts, maxBytes: 2000, timeoutMs: 500 });

describe('the media fetcher', () => {
  it('downloads from an allowed host and follows a redirect that stays on it', async () => {
    expect((await safeDownload(`${base}/ok.jpg`, allowed())).bytes.length).toBe(1000);
    expect((await safeDownload(`${base}/to-ok`, allowed())).url).toBe(`${base}/ok.jpg`);
    expect(hits).toEqual(['/ok.jpg', '/to-ok', '/ok.jpg']);
  });

  // The last column: what reached this test's server on each try. Loopback URLs carry its port,
  // so a guard that let them through would show here.
  it.each<[string, () => string, string[], RegExp, string[]]>([
    ['a host not in MEDIA_FETCH_HOSTS', () => `${base.replace('127.0.0.1', 'localhost')}/ok.jpg`, ['127.0.0.1'], /not in MEDIA_FETCH_HOSTS/, []],
    ['a redirect to the cloud metadata address', () => `${base}/to-metadata`, ['127.0.0.1'], /169\.254\.169\.254.*not in MEDIA_FETCH_HOSTS/, ['/to-metadata']],
    ['a private address written in the URL', () => 'http://10.0.0.1/x.jpg', ['10.0.0.1.example'], /not in MEDIA_FETCH_HOSTS/, []],
    ['a loopback address as a decimal number', () => `http://2130706433:${port}/ok.jpg`, ['replicate.delivery'], /not in MEDIA_FETCH_HOSTS/, []],
    ['an IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port}/ok.jpg`, ['replicate.delivery'], /not in MEDIA_FETCH_HOSTS/, []],
    ['another scheme', () => 'file:///etc/passwd', ['127.0.0.1'], /file: URLs are not fetched/, []],
    ['a declared size over the cap', () => `${base}/big`, ['127.0.0.1'], /larger than 2000 bytes/, ['/big']],
    ['a streamed size over the cap', () => `${base}/big-undeclared`, ['127.0.0.1'], /larger than 2000 bytes/, ['/big-undeclared']],
    ['an answer slower than the time cap', () => `${base}/slow`, ['127.0.0.1'], /no complete answer within 500 ms/, ['/slow']],
  ])('refuses %s', async (_, url, hosts, reason, reached) => {
    await expect(safeDownload(url(), allowed(hosts))).rejects.toThrow(FetchRefused);
    await expect(safeDownload(url(), allowed(hosts))).rejects.toThrow(reason);
    expect(hits).toEqual([...reached, ...reached]);
  });

  it('refuses a name on the list that resolves to a private address, unless named exactly', () => {
    expect(resolvedAddressProblem('cdn.replicate.delivery', ['10.1.2.3'], ['replicate.delivery'])).toMatch(/private address \(10\.1\.2\.3\)/);
    expect(resolvedAddressProblem('cdn.replicate.delivery', ['34.1.2.3', '::ffff:127.0.0.1'], ['replicate.delivery'])).toMatch(/private address/);
    expect(resolvedAddressProblem('cdn.replicate.delivery', ['34.1.2.3'], ['replicate.delivery'])).toBeNull();
    expect(resolvedAddressProblem('media.internal', ['10.1.2.3'], ['media.internal'])).toBeNull();
  });

  it('knows the private ranges', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '34.120.1.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });
});
