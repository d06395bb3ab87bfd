#!/usr/bin/env node
'use strict';
// The entry. It loads the bundles that `npm install` builds from src/: dist/cli.cjs (the command
// line: commander and the command declarations) and, only when a command runs, the app bundle of
// that command's family, dist/app/<family>.cjs (everything that does the work). Both are loaded through V8's code cache, so a
// start skips parsing and compiling what an earlier start compiled: Node >= 22 does this itself
// (module.enableCompileCache); on Node 20 the same is done here with vm.Script's cachedData,
// produced after a run (so it holds the functions that run used, not only the top level).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

const dist = path.join(__dirname, '..', 'dist');

const builtinCache = typeof Module.enableCompileCache === 'function';
if (builtinCache) Module.enableCompileCache();

function cacheDirs() {
  const user = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return [path.join(dist, '.cache'), path.join(user, 'interflow')];
}

function load(name) {
  const file = path.join(dist, name);
  if (builtinCache) return require(file);
  const vm = require('node:vm');
  const { source, size, mtimeMs } = readWrapped(file);
  // The key changes whenever the bundle or the runtime does; V8 also refuses a mismatched cache.
  const key = `${name.replace('/', '-')}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.v8cache`;
  let cachedData;
  for (const dir of cacheDirs()) {
    try {
      cachedData = fs.readFileSync(path.join(dir, key));
      break;
    } catch {
      // not cached there
    }
  }
  const script = new vm.Script(source, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) pending.push({ key, script });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

// A bundle as the CommonJS loader wraps it (Module.wrap), read into one buffer with its wrapper
// and made a string once: wrapping the file's string would have V8 copy the whole bundle again.
// esbuild writes ASCII (non-ASCII is escaped), so latin1 decodes it exactly, and fastest.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'].map((w) => Buffer.from(w, 'latin1'));
function readWrapped(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const { size, mtimeMs } = fs.fstatSync(fd);
    const [head, tail] = WRAPPER;
    const buf = Buffer.allocUnsafe(head.length + size + tail.length);
    head.copy(buf, 0);
    let at = head.length;
    for (let n; at < head.length + size && (n = fs.readSync(fd, buf, at, head.length + size - at, null)) > 0;) at += n;
    tail.copy(buf, at);
    return { source: buf.latin1Slice(0, at + tail.length), size, mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

// Caches to write, at exit: then they hold every function the run compiled.
const pending = [];
function writePendingCaches() {
  for (const { key, script } of pending.splice(0)) saveCache(key, script);
}
process.once('exit', writePendingCaches);

// undici parses HTTP with a WebAssembly build of llhttp. V8's optimizing compile of that module
// runs on a background thread and holds the process's exit until it ends: about 75 ms here, more
// than a whole one-off command. So before a one-off command's first connection the app asks for
// V8's baseline compiler only (runtime.preferBaselineWasm in src/runtime.ts), and for all of the
// module at once: compiled function by function as the parser first calls them, it costs about
// 6 ms more (bench/startup.js). That flag change is made as late as possible: Node's own modules
// loaded after it lose their embedded code cache.
//
// V8 stamps a code cache with a hash of its flags, and refuses one stamped with other flags than
// its own: a cache made after the change would be refused by every later start, which loads the
// bundles before it. Made at the change instead, it would lack every function the command runs
// from there on (the request, the answer, the record, the output), compiled again at every start.
// So a cache made after the change is stamped with the flags the process started with: the two
// flags above change how WebAssembly is compiled, nothing of a JavaScript cache's bytecode.
let startFlagHash;
function preferBaselineWasm() {
  if (!builtinCache) startFlagHash = flagHashOf(new (require('node:vm').Script)('').createCachedData());
  require('node:v8').setFlagsFromString('--liftoff-only --no-wasm-lazy-compilation');
}

// Where V8 (Node 20's, the only one that takes this path) keeps the flag hash in a code cache's
// header: magic number, version hash, source hash, flag hash, each 4 bytes.
const FLAG_HASH_AT = 12;
const flagHashOf = (data) => Buffer.from(data.subarray(FLAG_HASH_AT, FLAG_HASH_AT + 4));

function saveCache(key, script) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  if (startFlagHash) startFlagHash.copy(data, FLAG_HASH_AT);
  for (const dir of cacheDirs()) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = path.join(dir, `${key}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, data, { mode: 0o600 });
      fs.renameSync(tmp, path.join(dir, key));
      return;
    } catch {
      // not writable (a global install): try the next place
    }
  }
}

// A clone before `npm install` has no dist/: say so in one line instead of a stack trace.
if (!fs.existsSync(path.join(dist, 'cli.cjs'))) {
  process.stderr.write('error: dist/ is missing: run npm install first (it builds dist/)\n');
  process.exit(1);
}

load('cli.cjs')
  .main(process.argv, async (command) => load(`app/${command.split(' ')[0]}.cjs`), { preferBaselineWasm })
  .catch((err) => {
    process.stderr.write(`error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
