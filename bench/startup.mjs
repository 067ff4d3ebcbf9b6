#!/usr/bin/env node
// Cold start and idle memory of the built server: 5 starts on fresh DATA_DIRs, time from spawn
// to the first /healthz 200, then the resident memory of the idle process after it settles.
// Usage: npm run build && node bench/startup.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = 5;
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function once(port) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  let ms = null;
  while (ms === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) ms = performance.now() - started;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await new Promise((r) => setTimeout(r, 5000));
  const rss = rssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { ms, rss };
}

const results = [];
for (let i = 0; i < ROUNDS; i++) results.push(await once(39100 + i));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`cold start to first /healthz 200 (ms): ${results.map((r) => r.ms.toFixed(0)).join(', ')}`);
console.log(`median cold start: ${median(results.map((r) => r.ms)).toFixed(0)} ms`);
console.log(
  `idle RSS after 5 s (MB): ${results.map((r) => r.rss.toFixed(1)).join(', ')}; ` +
    `median ${median(results.map((r) => r.rss)).toFixed(1)} MB`,
);
