#!/usr/bin/env node
// `npm run build`: bundles src/ with esbuild into dist/ and writes dist/THIRD_PARTY_NOTICES.md.
//
//   dist/cli.cjs        the shell (commander, help, the global flags, every command's spec)
//   dist/app/<noun>.cjs one bundle per noun directory of src/commands: src/app.ts with the
//                       implementations of that noun's commands only
//   dist/demo.js        `npm run demo`
//
// The bundles are derived from the registry (src/commands/registry.ts): a spec names its work as
// `load: () => import('./run.js')`. In the shell every such import is an empty stub (help never
// loads the work); in the bundle of noun N, only N's are followed. Which files are specs is
// read off the import graph: those the registry or a group (src/commands/<noun>/group.ts) imports.
// The nouns are those specs' directories, from the shell's metafile.
//
// The bundles carry no license comments (--legal-comments=none keeps them small); instead every
// package esbuild put into any of them (read from esbuild's metafile) is listed in
// dist/THIRD_PARTY_NOTICES.md with its version and its license file, as MIT, ISC and the BSD
// licenses require of a copy. The build fails, naming the package, when a bundled package has no
// license file or a license not in PERMISSIVE: a new dependency must be checked before it ships.
// The merged metafile is kept in dist/.build/metafile.json (not packed) for the package test.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');

/** SPDX ids whose terms a notice file satisfies. */
export const PERMISSIVE = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'Apache-2.0', 'BlueOak-1.0.0', 'Unlicense']);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
};

const COMMANDS = join(root, 'src', 'commands');
/** The noun directory of a file under src/commands (its first segment), or undefined. */
const nounOf = (file) => {
  const rel = relative(COMMANDS, file);
  return rel.startsWith('..') || !rel.includes('/') ? undefined : rel.split('/')[0];
};
const isListing = (file) => file === join(COMMANDS, 'registry.ts') || /\/group\.ts$/.test(file);

/**
 * Keeps the dynamic imports of the specs of `noun` (all of them stubbed when undefined: the shell).
 * A spec is a file the registry or a group imports.
 */
export function specLoads(noun) {
  return {
    name: 'spec-loads',
    setup(b) {
      const specs = new Set();
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'spec-loads') return undefined;
        if (args.kind === 'dynamic-import' && specs.has(args.importer) && nounOf(args.importer) !== noun) {
          return { path: args.path, namespace: 'spec-load-stub' };
        }
        if (!isListing(args.importer)) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'spec-loads',
        });
        if (resolved.errors.length === 0 && nounOf(resolved.path)) specs.add(resolved.path);
        return resolved;
      });
      b.onLoad({ filter: /.*/, namespace: 'spec-load-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/** The nouns of the specs the shell bundled (from its metafile): one app bundle each. */
export function nounsOf(metafile) {
  const nouns = new Set();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    if (!isListing(resolve(root, input))) continue;
    for (const imp of info.imports) {
      const noun = nounOf(resolve(root, imp.path));
      if (noun) nouns.add(noun);
    }
  }
  return [...nouns].sort();
}

/**
 * The bundled packages, from esbuild's metafile inputs: `node_modules/<name>/…` or
 * `node_modules/@scope/<name>/…` (the innermost node_modules, for nested copies), by directory.
 */
export function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const n = parts[at + 1]?.startsWith('@') ? 2 : 1;
    dirs.add(parts.slice(0, at + 1 + n).join('/'));
  }
  return [...dirs].sort();
}

const LICENSE_FILE = /^(licen[cs]e|copying)([-.][\w.-]*)?$/i;

/** {name, version, license, text} of the package in `dir` (relative to root); throws what is wrong. */
export function packageNotice(dir) {
  const abs = resolve(root, dir);
  const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
  const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type;
  const ids = String(license ?? '')
    .replace(/[()]/g, '')
    .split(/\s+OR\s+/);
  if (!ids.some((id) => PERMISSIVE.has(id.trim()))) {
    throw new Error(
      `${pkg.name}@${pkg.version} (${dir}) is bundled into dist/ under license '${license ?? 'none declared'}', which is not one of ${[...PERMISSIVE].join(', ')}: check its terms before shipping it`,
    );
  }
  const file = readdirSync(abs).find((f) => LICENSE_FILE.test(f));
  if (!file) {
    throw new Error(
      `${pkg.name}@${pkg.version} (${dir}) is bundled into dist/ but has no LICENSE file to ship with it: add its license text to src/build/ and list it here`,
    );
  }
  return { name: pkg.name, version: pkg.version, license, text: readFileSync(join(abs, file), 'utf8').trim() };
}

export function renderNotices(notices) {
  const lines = [
    '# Third-party notices',
    '',
    'The files in dist/ bundle the following packages. Each is listed with its version, its',
    'license and the text of its license file, as shipped with the package.',
    '',
    ...notices.map((n) => `- ${n.name}@${n.version} (${n.license})`),
    '',
  ];
  for (const n of notices) {
    lines.push('---', '', `## ${n.name}@${n.version}`, '', `License: ${n.license}`, '', '```text', n.text, '```', '');
  }
  return lines.join('\n');
}

async function main() {
  rmSync(dist, { recursive: true, force: true });
  const shell = await build({
    ...common,
    entryPoints: ['src/cli.ts'],
    format: 'cjs',
    outfile: 'dist/cli.cjs',
    // The shell never parses an option value: zod/mini is the app's (src/stubs/no-zod.ts).
    alias: { 'node:child_process': './src/stubs/no-child-process.ts', 'zod/mini': './src/stubs/no-zod.ts' },
    plugins: [specLoads(undefined)],
  });
  const apps = nounsOf(shell.metafile).map((noun) =>
    build({
      ...common,
      entryPoints: ['src/app.ts'],
      format: 'cjs',
      outfile: `dist/app/${noun}.cjs`,
      external: ['typescript'],
      alias: { 'node:http2': './src/stubs/no-http2.ts' },
      plugins: [specLoads(noun)],
    }),
  );
  const results = [
    shell,
    ...(await Promise.all([
      ...apps,
      build({
        ...common,
        entryPoints: ['src/demo.ts'],
        format: 'esm',
        outfile: 'dist/demo.js',
        banner: { js: "import{createRequire as __interflowRequire}from'node:module';const require=__interflowRequire(import.meta.url);" },
      }),
    ])),
  ];
  const metafile = { inputs: {}, outputs: {} };
  for (const r of results) {
    Object.assign(metafile.inputs, r.metafile.inputs);
    Object.assign(metafile.outputs, r.metafile.outputs);
  }
  const byId = new Map();
  for (const n of bundledPackages(metafile).map(packageNotice)) byId.set(`${n.name}@${n.version}`, n);
  const notices = [...byId.values()].sort((a, b) =>
    a.name === b.name ? a.version.localeCompare(b.version, 'en', { numeric: true }) : a.name < b.name ? -1 : 1,
  );
  writeFileSync(join(dist, 'THIRD_PARTY_NOTICES.md'), renderNotices(notices));
  mkdirSync(join(dist, '.build'), { recursive: true });
  writeFileSync(join(dist, '.build', 'metafile.json'), JSON.stringify(metafile));
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  main().catch((err) => {
    process.stderr.write(`build failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
