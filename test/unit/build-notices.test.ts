/**
 * The build's third-party notices (src/build/build.mjs): which packages the metafile says were
 * bundled, and the refusals that fail the build: a bundled package without a license file, or
 * under a license that is not on the permissive list.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

interface Notice {
  name: string;
  version: string;
  license: string;
  text: string;
}
interface BuildModule {
  bundledPackages(metafile: { inputs: Record<string, unknown> }): string[];
  packageNotice(dir: string): Notice;
  renderNotices(notices: Notice[]): string;
}

const modulePath = new URL('../../src/build/build.mjs', import.meta.url).href;
const build = (await import(modulePath)) as BuildModule;

const tmp = mkdtempSync(join(tmpdir(), 'interflow-notices-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function fakePackage(name: string, pkg: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(tmp, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', ...pkg }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('bundled packages from the metafile', () => {
  test('one directory per package: scoped, nested copies apart, project files left out', () => {
    const inputs = {
      'src/cli.ts': {},
      'node_modules/chalk/source/index.js': {},
      'node_modules/chalk/source/vendor/ansi-styles/index.js': {},
      'node_modules/@inquirer/core/dist/esm/index.js': {},
      'node_modules/wrap-ansi/node_modules/string-width/index.js': {},
      'node_modules/string-width/index.js': {},
    };
    assert.deepEqual(build.bundledPackages({ inputs }), [
      'node_modules/@inquirer/core',
      'node_modules/chalk',
      'node_modules/string-width',
      'node_modules/wrap-ansi/node_modules/string-width',
    ]);
  });
});

describe('a package notice', () => {
  test('name, version, license and the license file text (LICENSE-MIT.txt counts)', () => {
    const dir = fakePackage(
      'ok-mit',
      { license: 'MIT' },
      { 'LICENSE-MIT.txt': 'Copyright (c) Someone\n\nPermission is hereby granted…\n' },
    );
    const n = build.packageNotice(dir);
    assert.deepEqual(n, {
      name: 'ok-mit',
      version: '1.2.3',
      license: 'MIT',
      text: 'Copyright (c) Someone\n\nPermission is hereby granted…',
    });
    const md = build.renderNotices([n]);
    assert.match(md, /^- ok-mit@1\.2\.3 \(MIT\)$/m);
    assert.match(md, /^## ok-mit@1\.2\.3\n\nLicense: MIT\n\n```text\nCopyright \(c\) Someone/m);
  });

  test('a dual license with one permissive choice is accepted', () => {
    const dir = fakePackage('dual', { license: '(MIT OR GPL-3.0)' }, { LICENSE: 'MIT text' });
    assert.equal(build.packageNotice(dir).license, '(MIT OR GPL-3.0)');
  });

  test('no license file: the build fails naming the package', () => {
    const dir = fakePackage('no-file', { license: 'MIT' }, { 'README.md': 'MIT' });
    assert.throws(() => build.packageNotice(dir), /no-file@1\.2\.3 .*no LICENSE file/);
  });

  test('a license that is not permissive, or none declared: the build fails naming it', () => {
    const gpl = fakePackage('copyleft', { license: 'GPL-3.0-only' }, { LICENSE: 'GPL text' });
    assert.throws(() => build.packageNotice(gpl), /copyleft@1\.2\.3 .*'GPL-3\.0-only'/);
    const none = fakePackage('undeclared', {}, { LICENSE: 'text' });
    assert.throws(() => build.packageNotice(none), /undeclared@1\.2\.3 .*none declared/);
  });
});
