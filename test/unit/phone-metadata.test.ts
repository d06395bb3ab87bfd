/**
 * libphonenumber-js's metadata as the app bundles carry it (src/build/build.mjs,
 * lazyPhoneMetadata): each country kept as JSON text and parsed when first read. It must be the
 * package's metadata, whole, and give libphonenumber the same answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';

const build = (await import(new URL('../../src/build/build.mjs', import.meta.url).href)) as {
  lazyMetadataSource(metadata: unknown): string;
};
const packaged = createRequire(import.meta.url)('libphonenumber-js/metadata.min.json') as MetadataJson & {
  countries: Record<string, unknown>;
  nonGeographic?: Record<string, unknown>;
};

const tmp = mkdtempSync(join(tmpdir(), 'interflow-phone-metadata-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of the module the build gives, as the bundles evaluate it. */
async function lazyMetadata(): Promise<typeof packaged> {
  const file = join(tmp, `metadata-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, build.lazyMetadataSource(packaged));
  return ((await import(pathToFileURL(file).href)) as { default: typeof packaged }).default;
}

test('each country is parsed only when read, then kept', async () => {
  const lazy = await lazyMetadata();
  assert.deepEqual(Object.keys(lazy.countries), Object.keys(packaged.countries));
  assert.equal(typeof Object.getOwnPropertyDescriptor(lazy.countries, 'BR')?.get, 'function', 'BR is not lazy');
  const br = lazy.countries.BR;
  assert.deepEqual(br, packaged.countries.BR);
  assert.equal(lazy.countries.BR, br, 'BR parsed again');
  assert.equal(Object.getOwnPropertyDescriptor(lazy.countries, 'BR')?.get, undefined, 'BR still an accessor once read');
  assert.equal(typeof Object.getOwnPropertyDescriptor(lazy.countries, 'US')?.get, 'function', 'US parsed along with BR');
  assert.ok(Object.hasOwn(lazy.countries, 'PT') && !Object.hasOwn(lazy.countries, 'XX'));
});

test("is the package's metadata, whole", async () => {
  const lazy = await lazyMetadata();
  assert.deepEqual(JSON.parse(JSON.stringify(lazy)), packaged);
});

test('libphonenumber gives the same answers with it', async () => {
  const lazy = await lazyMetadata();
  const numbers: [string, CountryCode][] = [
    ['+55 (11) 99999-9999', 'BR'],
    ['11999999999', 'BR'],
    ['(11) 3333-4444', 'BR'],
    ['+1 919 555 1112', 'BR'],
    ['07911 123456', 'GB'],
    ['+351 912 345 678', 'BR'],
    ['+800 1234 5678', 'BR'],
    ['+55 11 9999', 'BR'],
    ['123', 'US'],
  ];
  for (const [input, country] of numbers) {
    const a = parsePhoneNumberFromString(input, { defaultCountry: country }, lazy);
    const b = parsePhoneNumberFromString(input, { defaultCountry: country }, packaged);
    assert.equal(a?.number, b?.number, input);
    assert.equal(a?.isValid(), b?.isValid(), input);
  }
});
