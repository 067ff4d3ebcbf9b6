import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
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
    if (req.url === '/ok.jpg')
      return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(1000, 1));
    if (req.url === '/to-metadata')
      return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
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
    [
      'a host not in MEDIA_FETCH_HOSTS',
      () => `${base.replace('127.0.0.1', 'localhost')}/ok.jpg`,
      ['127.0.0.1'],
      /not in MEDIA_FETCH_HOSTS/,
      [],
    ],
    [
      'a redirect to the cloud metadata address',
      () => `${base}/to-metadata`,
      ['127.0.0.1'],
      /169\.254\.169\.254.*not in MEDIA_FETCH_HOSTS/,
      ['/to-metadata'],
    ],
    [
      'a private address written in the URL',
      () => 'http://10.0.0.1/x.jpg',
      ['10.0.0.1.example'],
      /not in MEDIA_FETCH_HOSTS/,
      [],
    ],
    [
      'a loopback address as a decimal number',
      () => `http://2130706433:${port}/ok.jpg`,
      ['replicate.delivery'],
      /not in MEDIA_FETCH_HOSTS/,
      [],
    ],
    [
      'an IPv4-mapped IPv6 loopback',
      () => `http://[::ffff:127.0.0.1]:${port}/ok.jpg`,
      ['replicate.delivery'],
      /not in MEDIA_FETCH_HOSTS/,
      [],
    ],
    ['another scheme', () => 'file:///etc/passwd', ['127.0.0.1'], /file: URLs are not fetched/, []],
    ['a declared size over the cap', () => `${base}/big`, ['127.0.0.1'], /larger than 2000 bytes/, ['/big']],
    [
      'a streamed size over the cap',
      () => `${base}/big-undeclared`,
      ['127.0.0.1'],
      /larger than 2000 bytes/,
      ['/big-undeclared'],
    ],
    [
      'an answer slower than the time cap',
      () => `${base}/slow`,
      ['127.0.0.1'],
      /no complete answer within 500 ms/,
      ['/slow'],
    ],
  ])('refuses %s', async (_, url, hosts, reason, reached) => {
    await expect(safeDownload(url(), allowed(hosts))).rejects.toThrow(FetchRefused);
    await expect(safeDownload(url(), allowed(hosts))).rejects.toThrow(reason);
    expect(hits).toEqual([...reached, ...reached]);
  });

  it('refuses a private answer for any listed name but localhost', () => {
    expect(resolvedAddressProblem('cdn.replicate.delivery', ['10.1.2.3'], ['replicate.delivery'])).toMatch(
      /private address \(10\.1\.2\.3\)/,
    );
    expect(
      resolvedAddressProblem('cdn.replicate.delivery', ['34.1.2.3', '::ffff:127.0.0.1'], ['replicate.delivery']),
    ).toMatch(/private address/);
    expect(resolvedAddressProblem('cdn.replicate.delivery', ['34.1.2.3'], ['replicate.delivery'])).toBeNull();
    // Listing a name exactly does not exempt what its DNS answers.
    expect(resolvedAddressProblem('media.internal', ['10.1.2.3'], ['media.internal'])).toMatch(/private address/);
    expect(resolvedAddressProblem('metadata.example', ['169.254.169.254'], ['metadata.example'])).toMatch(/private/);
    expect(resolvedAddressProblem('v6.example', ['fd00::1'], ['v6.example'])).toMatch(/private address/);
    // localhost, listed as such, means this machine: its loopback answers, and only those.
    expect(resolvedAddressProblem('localhost', ['127.0.0.1', '::1'], ['localhost'])).toBeNull();
    expect(resolvedAddressProblem('localhost', ['10.0.0.7'], ['localhost'])).toMatch(/private address/);
    expect(resolvedAddressProblem('localhost', ['127.0.0.1'], ['replicate.delivery'])).toMatch(/private address/);
  });

  it('refuses a listed name that the system resolver answers with a loopback address', async () => {
    // A name from this machine's hosts file that means loopback without being "localhost".
    const candidates = [hostname(), 'ip6-localhost', 'ip6-loopback'];
    let name: string | undefined;
    for (const candidate of candidates) {
      const answers = await lookup(candidate, { all: true }).catch(() => []);
      if (answers.length && answers.every((a) => isPrivateAddress(a.address))) {
        name = candidate;
        break;
      }
    }
    if (!name) throw new Error(`none of ${candidates.join(', ')} resolves to a private address; add one to /etc/hosts`);
    const url = `http://${name}:${port}/ok.jpg`;
    await expect(safeDownload(url, allowed([name]))).rejects.toThrow(/resolves to a private address/);
    expect(hits).toEqual([]);
  });

  it('downloads from localhost when localhost itself is listed', async () => {
    expect((await safeDownload(`http://localhost:${port}/ok.jpg`, allowed(['localhost']))).bytes.length).toBe(1000);
    expect(hits).toEqual(['/ok.jpg']);
  });

  it('knows the private ranges', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:10.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '34.120.1.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('the media fetcher over https', () => {
  let tls: HttpsServer;
  let ca: Buffer;
  let httpsBase: string;
  const certDir = mkdtempSync(join(tmpdir(), 'herald-tls-'));

  beforeAll(async () => {
    // A certificate for 127.0.0.1 made for this run, trusted through the fetcher's `ca` option.
    const key = join(certDir, 'key.pem');
    const cert = join(certDir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert);
    tls = createHttpsServer({ key: readFileSync(key), cert: ca }, (req, res) => {
      hits.push(`https:${req.url}`);
      if (req.url === '/ok.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end('x'.repeat(700));
      if (req.url === '/to-https') return void res.writeHead(302, { location: '/ok.jpg' }).end();
      if (req.url === '/to-http') return void res.writeHead(302, { location: `${base}/ok.jpg` }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    httpsBase = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => tls.close(() => r()));
    rmSync(certDir, { recursive: true, force: true });
  });

  it('follows a redirect that stays on https', async () => {
    const got = await safeDownload(`${httpsBase}/to-https`, { ...allowed(), ca });
    expect(got.bytes.length).toBe(700);
    expect(hits).toEqual(['https:/to-https', 'https:/ok.jpg']);
  });

  it('refuses a redirect from https to http, even to an allowed host', async () => {
    const download = safeDownload(`${httpsBase}/to-http`, { ...allowed(), ca });
    await expect(download).rejects.toThrow(/redirected from https to http/);
    expect(hits).toEqual(['https:/to-http']);
  });
});
