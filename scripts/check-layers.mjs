#!/usr/bin/env node
// The layer rules of docs/architecture.md, checked on every import of src/ and views/.
// dependency-cruiser would be the usual tool, but it reads TypeScript only through the `typescript`
// package's compiler API, which TypeScript 7 no longer ships (its swc mode cannot read .tsx).
// oxc-parser gives the same facts: every static, re-exported and dynamic import, and whether it is
// type-only (erased by the compiler, so neither I/O nor a runtime cycle).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'oxc-parser';

// The repository by default; a tree given as the first argument (the checker's own test uses one).
const ROOT = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const SCANNED = ['src', 'views'];
const CODE = /\.(ts|tsx|mts|js|mjs)$/;

const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '').split('/')[0]));
const NETWORK_AND_FILES = ['net', 'http', 'https', 'http2', 'dgram', 'tls', 'fs', 'child_process'];
const under =
  (...dirs) =>
  (file) =>
    dirs.some((dir) => file.startsWith(`${dir}/`));
const internal =
  (...dirs) =>
  (dep) =>
    dep.kind === 'file' && under(...dirs)(dep.target);
const pkg =
  (...names) =>
  (dep) =>
    dep.kind === 'package' && names.includes(dep.target);
const builtin =
  (...names) =>
  (dep) =>
    dep.kind === 'builtin' && names.includes(dep.target);
const any =
  (...tests) =>
  (value) =>
    tests.some((test) => test(value));

/**
 * Each rule: which files it governs (`from`), which imports it refuses there (`to`), and whether a
 * type-only import is still refused. `why` is printed with every violation.
 */
const RULES = [
  {
    name: 'domain-is-pure',
    why: 'domain/ holds pure rules: no framework, database, logger, scheduler, network or files',
    from: under('src/domain'),
    to: any(
      pkg('hono', '@hono/node-server', 'drizzle-orm', 'better-sqlite3', 'pino', 'croner'),
      builtin(...NETWORK_AND_FILES),
      internal('src/db', 'src/http', 'src/services', 'src/platforms', 'src/jobs', 'src/ai'),
    ),
    typesToo: true,
  },
  {
    name: 'hono-only-in-http',
    why: 'only http/ (and main.ts, which serves it) knows hono; services never receive a Context',
    from: (file) => file.startsWith('src/') && !under('src/http')(file) && file !== 'src/main.ts',
    to: pkg('hono', '@hono/node-server'),
    typesToo: true,
  },
  {
    name: 'views-use-only-hono-jsx',
    why: 'views are JSX components: hono/jsx is their runtime, the rest of hono belongs to http/',
    from: under('views'),
    to: (dep) => pkg('hono', '@hono/node-server')(dep) && !/^hono\/jsx(\/|$)/.test(dep.specifier),
    typesToo: true,
  },
  {
    name: 'database-only-in-db',
    why: 'only db/ talks to drizzle and better-sqlite3; the rest goes through repos and services',
    from: (file) => !under('src/db')(file),
    to: pkg('drizzle-orm', 'better-sqlite3'),
    typesToo: true,
  },
  {
    name: 'views-do-no-io',
    why: 'views are pure functions of props; they may name row types but never call db, services or the network',
    from: under('views'),
    to: any(
      internal('src/db', 'src/services', 'src/platforms', 'src/jobs', 'src/ai', 'src/http'),
      builtin(...NETWORK_AND_FILES),
    ),
    typesToo: false,
  },
  {
    name: 'vendors-through-the-registry',
    why: 'a network folder is reached through src/platforms/registry.ts (its descriptor), never directly',
    from: (file) => !under('src/platforms')(file),
    to: (dep) => dep.kind === 'file' && /^src\/platforms\/[^/]+\//.test(dep.target),
    typesToo: true,
  },
  {
    name: 'ai-sdks-only-in-ai',
    why: 'the AI vendors\u2019 SDKs live behind src/ai/',
    from: (file) => !under('src/ai')(file),
    to: pkg('groq-sdk', 'replicate'),
    typesToo: true,
  },
];

const JSX_HOMES = ['views', 'src/http'];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...walk(path));
    else if (CODE.test(name)) out.push(path);
  }
  return out;
}

/** The file a relative specifier names: `./x.js` is written for `./x.ts` or `./x.tsx`. */
function resolveFile(from, specifier) {
  const base = join(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${base}/index.ts`, `${base}/index.tsx`];
  const found = candidates.find(
    (candidate) => existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile(),
  );
  return found ?? base;
}

function classify(from, specifier) {
  if (specifier.startsWith('.')) return { kind: 'file', target: resolveFile(from, specifier) };
  const bare = specifier.replace(/^node:/, '');
  const [first = '', second] = bare.split('/');
  if (specifier.startsWith('node:') || (BUILTINS.has(first) && !first.startsWith('@')))
    return { kind: 'builtin', target: first };
  return { kind: 'package', target: first.startsWith('@') && second ? `${first}/${second}` : first };
}

function importsOf(file) {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const { module, errors } = parseSync(file, source);
  if (errors.length > 0) throw new Error(`${file}: ${errors[0]?.message ?? 'cannot be parsed'}`);
  const lineOf = (offset) => source.slice(0, offset).split('\n').length;
  const found = [];
  for (const entry of module.staticImports) {
    const typeOnly = entry.entries.length > 0 && entry.entries.every((e) => e.isType);
    found.push({ specifier: entry.moduleRequest.value, typeOnly, line: lineOf(entry.start) });
  }
  for (const entry of module.staticExports) {
    for (const e of entry.entries) {
      if (e.moduleRequest)
        found.push({ specifier: e.moduleRequest.value, typeOnly: e.isType, line: lineOf(entry.start) });
    }
  }
  for (const entry of module.dynamicImports) {
    const text = source.slice(entry.moduleRequest.start, entry.moduleRequest.end);
    const literal = /^(['"`])([^'"`$]*)\1$/.exec(text);
    if (literal?.[2]) found.push({ specifier: literal[2], typeOnly: false, line: lineOf(entry.start) });
  }
  return found.map((dep) => ({ ...dep, ...classify(file, dep.specifier) }));
}

/** Import cycles over value imports (type-only imports are erased, so they cannot loop at run time). */
function cycles(graph) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

const files = SCANNED.flatMap(walk).sort();
const problems = [];
const graph = new Map();

for (const file of files) {
  if (file.endsWith('.tsx') && !JSX_HOMES.some((home) => file.startsWith(`${home}/`))) {
    problems.push(`${file}: [jsx-only-in-views-and-http] only views/ and src/http/ contain JSX`);
  }
  const deps = importsOf(file);
  graph.set(
    file,
    deps.filter((dep) => dep.kind === 'file' && !dep.typeOnly).map((dep) => dep.target),
  );
  for (const rule of RULES) {
    if (!rule.from(file)) continue;
    for (const dep of deps) {
      if ((dep.typeOnly && !rule.typesToo) || !rule.to(dep)) continue;
      problems.push(`${file}:${dep.line}: [${rule.name}] imports '${dep.specifier}': ${rule.why}`);
    }
  }
}

for (const cycle of cycles(graph)) problems.push(`[no-cycles] ${cycle.join(' -> ')}`);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} layer rule violation(s)`);
  process.exit(1);
}
console.log(`layers: ${files.length} files, no violations`);
