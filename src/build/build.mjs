#!/usr/bin/env node
// `npm run build`: bundles src/ with esbuild into dist/ and writes dist/THIRD_PARTY_NOTICES.md.
//
//   dist/cli.cjs        the shell (commander, help, the global flags, every command's spec)
//   dist/app/<noun>.cjs one bundle per noun directory of src/commands: src/app.ts with the
//                       implementations of that noun's commands only
//   dist/demo.js        `npm run demo`
//
// The commands are read off src/commands (writeRegistry): each directory is a noun, its files that
// call defineCommand its commands. Their list is written to src/commands/registry.generated.ts
// (committed, so that tsc and the tests see it before any build). A spec names its work as
// `load: () => import('./run.js')`, or exports its run() beside it (a one-file command, which the
// generated registry loads with an import of the spec's own module). In the shell every such
// import is an empty stub (help never loads the work), and what a spec imports is side-effect
// free, so an unused run() goes with the imports only it uses; in the bundle of noun N, only N's
// are followed.
//
// The bundles carry no license comments (--legal-comments=none keeps them small); instead every
// package esbuild put into any of them (read from esbuild's metafile) is listed in
// dist/THIRD_PARTY_NOTICES.md with its version and its license file, as MIT, ISC and the BSD
// licenses require of a copy. The build fails, naming the package, when a bundled package has no
// license file or a license not in PERMISSIVE: a new dependency must be checked before it ships.
// The merged metafile is kept in dist/.build/metafile.json (not packed) for the package test.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
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
  // INTERFLOW_SOURCEMAP=1 npm run build: linked source maps, to read a CPU profile (--cpu-prof) by source file.
  ...(process.env.INTERFLOW_SOURCEMAP ? { sourcemap: 'linked' } : {}),
};

const COMMANDS = join(root, 'src', 'commands');
/** The registry's list of commands, written from the directory listing (see writeRegistry). */
export const GENERATED = join(COMMANDS, 'registry.generated.ts');
/** The noun directory of a file under src/commands (its first segment), or undefined. */
const nounOf = (file) => {
  const rel = relative(COMMANDS, file);
  return rel.startsWith('..') || !rel.includes('/') ? undefined : rel.split('/')[0];
};

/** A file that defines a command (any other .ts file of a noun's directory is its helpers or work). */
const SPEC = /\bdefineCommand\(/;
/** A one-file command: its spec's module exports its run() too. */
const RUN_EXPORT = /^export (?:const|let|async function|function) run\b/m;

/** The words quoted in the array after `pattern` in `source` (`order: ['list', 'get']`), or []. */
function wordsAfter(source, pattern) {
  const m = new RegExp(`${pattern}\\s*\\[([^\\]]*)\\]`).exec(source);
  return m ? [...m[1].matchAll(/'([^']+)'/g)].map((w) => w[1]) : [];
}

/** `items` (in alphabetical order) with those `order` names first, in its order; an unknown name throws. */
function inOrder(items, order, keyOf, where) {
  for (const key of order) {
    if (!items.some((item) => keyOf(item) === key)) throw new Error(`${where}: its order names '${key}', which has no spec file`);
  }
  const rank = (item) => (order.includes(keyOf(item)) ? order.indexOf(keyOf(item)) : order.length);
  return items
    .map((item, i) => [item, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([item]) => item);
}

/**
 * The commands, read off src/commands: each directory is a noun; its spec files (those that call
 * defineCommand) its commands; `group.ts` its help, when it has more than one (or a name of two
 * words). `run` tells a one-file command (it exports its run()). In the order help lists them:
 * the nouns `ORDER` in registry.ts names, then the others; in a group, the verbs its `order`
 * names, then the others; the rest alphabetically. So the shell sorts nothing when it starts.
 * @returns {{ noun: string, group: boolean, specs: { file: string, name: string, run: boolean }[] }[]}
 */
export function commandFiles(dir = COMMANDS) {
  const nouns = [];
  for (const d of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const files = readdirSync(join(dir, d.name)).filter((f) => f.endsWith('.ts') && f !== 'group.ts');
    const specs = [];
    for (const file of files.sort()) {
      const source = readFileSync(join(dir, d.name, file), 'utf8');
      if (!SPEC.test(source)) continue;
      const name = /\bname: '([^']+)'/.exec(source)?.[1];
      if (name?.split(' ')[0] !== d.name) {
        throw new Error(`src/commands/${d.name}/${file}: its command's name must start with '${d.name}' (its directory), got '${name}'`);
      }
      const run = RUN_EXPORT.test(source);
      if (run && /\bload:\s*\(\)\s*=>/.test(source)) {
        throw new Error(
          `src/commands/${d.name}/${file}: it exports run() and has a load(): keep one (the run() here, or its load() of another module)`,
        );
      }
      specs.push({ file, name, run });
    }
    if (specs.length === 0) continue;
    const groupFile = join(dir, d.name, 'group.ts');
    const group = existsSync(groupFile);
    if (!group && (specs.length > 1 || specs[0].name !== d.name)) {
      throw new Error(
        `src/commands/${d.name}: ${specs.map((s) => `'${s.name}'`).join(', ')} need a group.ts (the noun's summary and examples)`,
      );
    }
    const order = group ? wordsAfter(readFileSync(groupFile, 'utf8'), 'order:') : [];
    nouns.push({ noun: d.name, group, specs: inOrder(specs, order, (s) => s.name.split(' ')[1], `src/commands/${d.name}/group.ts`) });
  }
  const registry = join(dir, 'registry.ts');
  const order = existsSync(registry) ? wordsAfter(readFileSync(registry, 'utf8'), 'export const ORDER =') : [];
  return inOrder(nouns, order, (n) => n.noun, 'src/commands/registry.ts');
}

const camel = (...words) =>
  words
    .map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join('')
    .replace(/[^A-Za-z0-9]/g, '_');

/** src/commands/registry.generated.ts for these nouns (see commandFiles). */
export function registrySource(nouns) {
  const imports = [];
  const entries = [];
  const uses = new Set();
  for (const { noun, group, specs } of nouns) {
    const loaded = specs.map((s) => {
      const id = group ? camel(noun, s.file.replace(/\.ts$/, '')) : camel(noun);
      const path = `./${noun}/${s.file.replace(/\.ts$/, '.js')}`;
      imports.push(`import ${id} from '${path}';`);
      if (!s.run) return id;
      uses.add('withRun');
      return `withRun(${id}, () => import('${path}').then((m) => m.run))`;
    });
    if (group) {
      uses.add('withVerbs');
      imports.push(`import ${camel(noun, 'group')} from './${noun}/group.js';`);
      entries.push(`withVerbs(${camel(noun, 'group')}, [${loaded.join(', ')}])`);
    } else entries.push(loaded[0]);
  }
  return [
    '// Written by src/build/build.mjs (`npm run build`) from the files under src/commands: do not edit.',
    '// A noun is a directory; its commands are the files there that call defineCommand (a one-file',
    "// command's run() is loaded from its own module); its group.ts is its help and verb order.",
    '// test/unit/registry.test.ts fails when this file is stale.',
    ...(uses.size ? [`import { ${[...uses].sort().join(', ')} } from './spec.js';`] : []),
    ...imports,
    '',
    '/** Every group and single command, by directory. */',
    'export const entries = [',
    ...entries.map((e) => `  ${e},`),
    '] as const;',
    '',
  ].join('\n');
}

/** Writes src/commands/registry.generated.ts when the listing changed; the nouns. */
export function writeRegistry() {
  const nouns = commandFiles();
  const source = registrySource(nouns);
  let old;
  try {
    old = readFileSync(GENERATED, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== source) writeFileSync(GENERATED, source);
  return nouns;
}

/**
 * Keeps the work of `noun` (none when undefined: the shell). A spec's `load: () => import(…)` and
 * the generated registry's import of a one-file command are empty stubs unless they are that
 * noun's; and whatever a spec file imports is marked side-effect free, so that the run() of a
 * one-file command left unused is dropped with everything only it imports. The registry's static
 * import of a one-file command is a module of its own (`get.ts?spec`, its data only), apart from
 * the one its load() imports: so even in its noun's bundle the work is evaluated only when that
 * command runs, not when a sibling does.
 */
export function specLoads(noun, specFiles, oneFiles) {
  return {
    name: 'spec-loads',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'spec-loads') return undefined;
        const fromSpec = specFiles.has(args.importer);
        if (args.kind === 'dynamic-import') {
          const owner = fromSpec
            ? nounOf(args.importer)
            : args.importer === GENERATED
              ? nounOf(resolve(dirname(args.importer), args.path))
              : null;
          return owner !== null && owner !== noun ? { path: args.path, namespace: 'spec-load-stub' } : undefined;
        }
        if (!fromSpec && args.importer !== GENERATED) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'spec-loads',
        });
        if (r.errors.length > 0) return { errors: r.errors };
        if (!fromSpec) return oneFiles.has(r.path) ? { path: r.path, suffix: '?spec' } : r;
        return { path: r.path, namespace: r.namespace, external: r.external, suffix: r.suffix, sideEffects: false };
      });
      b.onLoad({ filter: /.*/, namespace: 'spec-load-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/** The llhttp builds undici carries as base64 in a JS module, written to dist/wasm/ as they are. */
const LLHTTP = { 'llhttp_simd-wasm.js': 'llhttp_simd.wasm', 'llhttp-wasm.js': 'llhttp.wasm' };

/**
 * undici as a one-off command needs it. Imported from undici's own files: node:assert and
 * node:http are small stand-ins (src/stubs/undici-assert.cjs, undici-http.cjs: undici uses one
 * function of the first and two values of the second, and loading them costs a one-off send about
 * 5 ms), and its HTTP parser, a WebAssembly module that undici keeps as 72 KB of base64 in its
 * source, is read as a file from dist/wasm/ (writeLlhttp) when the first connection needs it:
 * every start of an app bundle otherwise reads, copies and caches twice 72 KB it rarely uses.
 */
export function undiciLean() {
  const fromUndici = (importer) => /[\\/]node_modules[\\/]undici[\\/]/.test(importer);
  return {
    name: 'undici-lean',
    setup(b) {
      const stubs = { 'node:assert': 'undici-assert.cjs', 'node:http': 'undici-http.cjs' };
      b.onResolve({ filter: /^node:(assert|http)$/ }, (args) =>
        fromUndici(args.importer) ? { path: join(root, 'src', 'stubs', stubs[args.path]) } : undefined,
      );
      b.onResolve({ filter: /[\\/]llhttp[\\/]llhttp(_simd)?-wasm\.js$/ }, (args) =>
        fromUndici(args.importer) ? { path: LLHTTP[args.path.split('/').pop()], namespace: 'llhttp-file' } : undefined,
      );
      // __filename is the app bundle's own (dist/app/<noun>.cjs), however bin/interflow.js loads it.
      b.onLoad({ filter: /.*/, namespace: 'llhttp-file' }, (args) => ({
        contents: `const path = require('node:path');\nmodule.exports = require('node:fs').readFileSync(path.join(path.dirname(__filename), '..', 'wasm', ${JSON.stringify(args.path)}));\n`,
        loader: 'js',
      }));
    },
  };
}

/**
 * libphonenumber-js's metadata with each country's entry kept as JSON text, parsed the first time
 * it is read: a command builds the objects of the countries its numbers are in, not of all 245
 * (about 340 KB of objects at every start of an app bundle, for one country in a one-off send).
 * The same data: test/unit/phone-metadata.test.ts compares it with the package's whole.
 */
export function lazyPhoneMetadata() {
  return {
    name: 'lazy-phone-metadata',
    setup(b) {
      b.onLoad({ filter: /[\\/]libphonenumber-js[\\/]metadata\.min\.json(\.js)?$/ }, (args) => {
        const metadata = JSON.parse(readFileSync(args.path.replace(/\.js$/, ''), 'utf8'));
        return { contents: lazyMetadataSource(metadata), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** The module lazyPhoneMetadata gives for `metadata`: its keys as they are, countries and nonGeographic lazy. */
export function lazyMetadataSource(metadata) {
  const texts = (entries) => JSON.stringify(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)])));
  const rest = Object.fromEntries(Object.entries(metadata).filter(([k]) => k !== 'countries' && k !== 'nonGeographic'));
  return [
    'const lazy = (texts) => {',
    '  const o = {};',
    '  for (const key of Object.keys(texts)) {',
    '    Object.defineProperty(o, key, {',
    '      enumerable: true,',
    '      configurable: true,',
    '      get() {',
    '        const value = JSON.parse(texts[key]);',
    '        Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });',
    '        return value;',
    '      },',
    '    });',
    '  }',
    '  return o;',
    '};',
    `const metadata = ${JSON.stringify(rest)};`,
    `metadata.countries = lazy(${texts(metadata.countries)});`,
    ...(metadata.nonGeographic ? [`metadata.nonGeographic = lazy(${texts(metadata.nonGeographic)});`] : []),
    'export default metadata;',
    '',
  ].join('\n');
}

/** Writes undici's llhttp builds to dist/wasm/, for the app bundles (undiciLean). */
function writeLlhttp() {
  const require = createRequire(join(root, 'package.json'));
  mkdirSync(join(dist, 'wasm'), { recursive: true });
  for (const [module, file] of Object.entries(LLHTTP)) {
    writeFileSync(join(dist, 'wasm', file), require(`undici/lib/llhttp/${module}`));
  }
}

/**
 * zod/mini in the shell: every one of its exports an inert placeholder. The shell declares commands
 * from their specs but never parses an option value: the app does, with the real zod/mini
 * (src/app.ts). Evaluating zod and building every spec's schemas would cost each `--help` and
 * `--version` about 10 ms. Every export is there (read off zod/mini itself), so that a module the
 * shell reaches but drops (a one-file command's work) names nothing missing.
 */
export function noZod() {
  return {
    name: 'no-zod',
    setup(b) {
      b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: 'zod/mini', namespace: 'no-zod' }));
      b.onLoad({ filter: /.*/, namespace: 'no-zod' }, async () => {
        const names = Object.keys(await import('zod/mini')).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
        return { contents: `const schema = () => ({});\nexport { ${names.map((n) => `schema as ${n}`).join(', ')} };\n`, loader: 'js' };
      });
    },
  };
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
  const nouns = writeRegistry();
  const specFiles = new Set(nouns.flatMap(({ noun, specs }) => specs.map((s) => join(COMMANDS, noun, s.file))));
  const oneFiles = new Set(nouns.flatMap(({ noun, specs }) => specs.filter((s) => s.run).map((s) => join(COMMANDS, noun, s.file))));
  const shell = await build({
    ...common,
    entryPoints: ['src/cli.ts'],
    format: 'cjs',
    outfile: 'dist/cli.cjs',
    alias: { 'node:child_process': './src/stubs/no-child-process.ts' },
    plugins: [noZod(), specLoads(undefined, specFiles, oneFiles)],
  });
  const apps = nouns.map(({ noun }) =>
    build({
      ...common,
      entryPoints: ['src/app.ts'],
      format: 'cjs',
      outfile: `dist/app/${noun}.cjs`,
      external: ['typescript'],
      alias: { 'node:http2': './src/stubs/no-http2.ts' },
      plugins: [undiciLean(), lazyPhoneMetadata(), specLoads(noun, specFiles, oneFiles)],
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
  writeLlhttp();
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
