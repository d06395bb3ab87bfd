/**
 * The README, run as written (issue #6: the README cannot rot).
 *
 * 1. The quick start: every line of its code blocks that runs `interflow` (or `npx interflow`) is
 *    run with the built binary in a fresh directory: `interflow sandbox` starts the server (on a
 *    free port rather than 8787, so tests can run anywhere), `cp .interflowrc.example .interflowrc`
 *    copies the example (pointed at that port), and every other example must exit 0. `npm …` lines
 *    are what CI itself runs.
 * 2. The manual's examples, marked by a word after the fence's language (GitHub shows nothing of it):
 *    - ```` ```sh test ````: every command (lines joined at a trailing `\`) must exit 0, or N when
 *      its comment says `# exit N`;
 *    - ```` ```console test ````: each `$ command` must exit as above and print the lines below it
 *      (stdout, then stderr), ids, times, durations and the sandbox's address aside, in any order
 *      (bulk prints rows as they finish);
 *    - ```` ```json pedido.json ```` (any language, then a file name): a file the examples read,
 *      written as shown.
 *    They run against the sandbox with profiles named after their providers, as in the README's
 *    configuration: `.interflowrc.example`'s interflow, interacto, turn and socialminer profiles,
 *    with the sandbox's base URL and a key.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startSandbox } from '../../src/sandbox/server.js';
import { bin, cleanEnv } from './harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The commands of the quick start's code blocks, comments stripped. */
function quickStartCommands(): string[] {
  const section = readme.split(/^## Quick start$/m)[1]!.split(/^## /m)[0]!;
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

test('the README quick start: every interflow example works as written', async () => {
  const commands = quickStartCommands();
  const examples = commands.filter((c) => /^(npx )?interflow /.test(c) || c.startsWith('cp .interflowrc.example'));
  assert.ok(
    examples.some((c) => c.includes('interflow sandbox')),
    'the quick start starts the sandbox',
  );
  assert.ok(
    examples.some((c) => c.includes('interflow send')),
    'the quick start sends a message',
  );

  const dir = mkdtempSync(join(tmpdir(), 'interflow-readme-'));
  const env = cleanEnv(dir);
  const node = `"${process.execPath}" "${bin}"`;
  let sandbox: ReturnType<typeof spawn> | undefined;
  try {
    let sandboxUrl = '';
    for (const example of examples) {
      if (/interflow sandbox/.test(example)) {
        const args = example.replace(/^(npx )?interflow /, '').split(/\s+/);
        sandbox = spawn(process.execPath, [bin, ...args, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
        sandboxUrl = await new Promise<string>((resolve, reject) => {
          let err = '';
          sandbox!.stderr!.on('data', (c: Buffer) => {
            err += c.toString();
            const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
            if (m) resolve(m[1]!);
          });
          sandbox!.on('exit', (code) => reject(new Error(`${example} exited ${code}: ${err}`)));
        });
        continue;
      }
      if (example.startsWith('cp .interflowrc.example')) {
        assert.ok(sandboxUrl, 'the sandbox runs before the config is copied');
        const text = readFileSync(join(root, '.interflowrc.example'), 'utf8').replaceAll('http://127.0.0.1:8787', sandboxUrl);
        writeFileSync(join(dir, '.interflowrc'), text);
        continue;
      }
      const line = example.replace(/^(npx )?interflow /, `${node} `);
      const r = spawnSync('sh', ['-c', line], { cwd: dir, env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${example}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    const received = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as unknown[];
    assert.ok(received.length >= 1, 'the sandbox received the README send');
  } finally {
    sandbox?.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
});

// ───────────────────────────── the manual's examples ─────────────────────────────

interface Block {
  lang: string;
  /** The word after the language: `test`, or a file name. */
  tag: string;
  body: string;
  /** The README line of the opening fence. */
  line: number;
  /** The `## ` heading the block is under. */
  section: string;
}

interface Example {
  command: string;
  /** The README line of its block's fence: examples of one block run in order, blocks side by side. */
  block: number;
  exit: number;
  /** console blocks: the lines shown below the command. */
  expected?: string[];
  line: number;
  section: string;
}

function readmeBlocks(): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: (Omit<Block, 'body'> & { lines: string[] }) | undefined;
  readme.split('\n').forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ ...open, body: open.lines.join('\n') });
        open = undefined;
      } else open.lines.push(text);
      return;
    }
    const heading = /^## (.+)$/.exec(text);
    if (heading) section = heading[1]!;
    const fence = /^```(\S*)[ \t]*(\S*)\s*$/.exec(text);
    if (fence) open = { lang: fence[1]!, tag: fence[2]!, line: i + 1, section, lines: [] };
  });
  assert.equal(open, undefined, 'every fenced block of the README is closed');
  return blocks;
}

/** Splits a shell line at its comment (a `#` after white space, outside quotes). */
function splitComment(line: string): [command: string, comment: string] {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return [line.slice(0, i).trimEnd(), line.slice(i + 1).trim()];
  }
  return [line.trimEnd(), ''];
}

/** The commands of a block's lines: continuation lines joined, comments read for `exit N`. */
function commands(lines: string[], block: Block, isCommand: (l: string) => boolean, strip: (l: string) => string): Example[] {
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isCommand(lines[i]!)) {
      if (block.lang === 'console') out.at(-1)?.expected?.push(lines[i]!);
      continue;
    }
    let [command, comment] = splitComment(strip(lines[i]!));
    const line = block.line + 1 + i;
    while (command.endsWith('\\') && i + 1 < lines.length) {
      const [more, moreComment] = splitComment(lines[++i]!);
      command = `${command.slice(0, -1).trimEnd()} ${more.trim()}`;
      comment = moreComment || comment;
    }
    if (!command.trim()) continue;
    const exit = /\bexit (\d+)\b/.exec(comment);
    out.push({
      command: command.trim(),
      block: block.line,
      exit: exit ? Number(exit[1]) : 0,
      line,
      section: block.section,
      ...(block.lang === 'console' ? { expected: [] } : {}),
    });
  }
  return out;
}

function examplesOf(block: Block): Example[] {
  const lines = block.body.split('\n');
  return block.lang === 'console'
    ? commands(
        lines,
        block,
        (l) => l.startsWith('$ '),
        (l) => l.slice(2),
      )
    : commands(
        lines,
        block,
        (l) => l.trim() !== '' && !l.trimStart().startsWith('#'),
        (l) => l,
      );
}

function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // A safety net for a command that never ends, not a speed limit.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

const providers = ['interflow', 'interacto', 'turn', 'socialminer'] as const;
const defaultBase: Record<(typeof providers)[number], string> = {
  interflow: 'https://api.interflow.chat/v1',
  interacto: 'https://api.interacto.io',
  turn: 'https://whatsapp.turn.io',
  socialminer: 'https://api-cerberus-kong.socialminer.tech',
};
const sandboxPath: Record<(typeof providers)[number], string> = {
  interflow: '/interflow/v1',
  interacto: '/interacto',
  turn: '/turn',
  socialminer: '/socialminer',
};

/** What may differ from run to run, made equal; lines trimmed, white space folded, sorted. */
function normalize(lines: string[], sandboxUrl: string): string[] {
  return lines
    .map((l) => {
      let s = l;
      for (const p of providers) s = s.replaceAll(sandboxUrl + sandboxPath[p], defaultBase[p]);
      return s
        .replace(/\b(?:msg|cust|wh|evt|chat)_[a-z0-9]{8,}\b/g, '<id>')
        .replace(/\bgBEG[\w-]+/g, '<id>')
        .replace(/\bwamid\.[\w+/=-]+/g, '<id>')
        .replace(/\b[0-9a-f]{24}\b/g, '<id>')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>')
        .replace(/\b\d+(?:\.\d+)? s\b/g, '<n> s')
        .replace(/\(\d+(?:\.\d+)? requests\/s\)/g, '(<n> requests/s)')
        .replace(/\s+/g, ' ')
        .trim();
    })
    .filter(Boolean)
    .sort();
}

test('the README manual: every marked example runs as written and prints what is shown', async (t) => {
  const blocks = readmeBlocks();
  const files = blocks.filter((b) => /^[\w.-]+\.[a-z]+$/.test(b.tag));
  const examples = blocks.filter((b) => b.tag === 'test' && (b.lang === 'sh' || b.lang === 'console')).flatMap(examplesOf);

  // The manual covers every provider for send and for bulk, and shows output it can check.
  for (const [section, verb] of [
    ['Sending', 'send'],
    ['Bulk sends', 'bulk'],
  ] as const) {
    const ran = examples.filter((e) => e.section === section && new RegExp(`(^|\\| )interflow ${verb} `).test(e.command));
    for (const p of providers) {
      const uses = (e: Example) => e.command.includes(`--profile ${p}`) || (p === 'interflow' && !e.command.includes('--profile'));
      assert.ok(
        ran.some((e) => uses(e) && e.exit === 0),
        `## ${section}: a tested \`interflow ${verb}\` example for ${p}`,
      );
    }
  }
  assert.ok(
    examples.some((e) => e.expected && e.expected.length > 0),
    'the README shows output that is checked',
  );
  assert.ok(
    examples.some((e) => e.exit !== 0),
    'the README shows refusals that are checked',
  );

  const sandbox = await startSandbox({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'interflow-readme-manual-'));
  try {
    // The example config, its provider-named profiles pointed at the sandbox.
    const example = JSON.parse(
      readFileSync(join(root, '.interflowrc.example'), 'utf8').replaceAll('http://127.0.0.1:8787', sandbox.url),
    ) as {
      profiles: Record<string, Record<string, unknown>>;
    };
    for (const p of providers) {
      example.profiles[p] = {
        ...example.profiles[p],
        baseUrl: sandbox.url + sandboxPath[p],
        apiKey: example.profiles[`sandbox-${p}`]!.apiKey,
      };
    }
    writeFileSync(join(dir, '.interflowrc'), JSON.stringify(example, null, 2), { mode: 0o600 });
    for (const f of files) writeFileSync(join(dir, f.tag), f.body + '\n');

    const env = cleanEnv(dir);
    const node = `"${process.execPath}" "${bin}"`;
    // Four blocks at a time, each block's examples in order (a later one may resume an earlier one's journal).
    const jq = spawnSync('sh', ['-c', 'command -v jq'], { env }).status === 0;
    const results: ({ code: number; stdout: string; stderr: string } | undefined)[] = [];
    const blockStarts = [...new Set(examples.map((e) => e.block))];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let b = next++; b < blockStarts.length; b = next++) {
        let skipping = false; // what follows a skipped example may depend on it
        for (const [i, ex] of examples.entries()) {
          if (ex.block !== blockStarts[b]) continue;
          skipping ||= !jq && /\| *jq /.test(ex.command);
          if (skipping) continue;
          const shell = ex.command.replace(/(^|[|;&(]\s*)interflow(?= )/g, `$1${node}`);
          assert.notEqual(shell, ex.command, `README.md:${ex.line}: an example runs interflow`);
          results[i] = await runShell(shell, dir, env);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    let sends = 0;
    for (const [i, ex] of examples.entries()) {
      const r = results[i];
      if (!r) {
        t.diagnostic(`README.md:${ex.line}: skipped: jq is not installed, and its block uses it`);
        continue;
      }
      const where = `README.md:${ex.line}: ${ex.command}\nexit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
      await t.test(`README.md:${ex.line}`, () => {
        assert.equal(r.code, ex.exit, where);
        if (ex.expected) {
          const printed = [...r.stdout.split('\n'), ...r.stderr.split('\n')];
          assert.deepEqual(normalize(printed, sandbox.url), normalize(ex.expected, sandbox.url), where);
        }
      });
      if (ex.exit === 0 && /(^|\| )interflow send /.test(ex.command) && !ex.command.includes('--dry-run')) sends++;
    }
    assert.ok(sends > 20, `the README's tested sends are many (${sends})`);
    assert.ok(sandbox.accepted().length >= sends, `the sandbox accepted every tested send (${sandbox.accepted().length} of ${sends})`);
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
