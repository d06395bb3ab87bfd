/**
 * The Interflow resource client (src/interflow/api.ts) against the sandbox: the request it sends
 * (Bearer key, JSON), pagination by meta (list, listAll streaming every page), errors as
 * ProviderError with the envelope's code/details and the right exit code, --dry-run writes that
 * send nothing, and requireInterflow refusing other providers.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Profile } from '../../src/config/profile.js';
import { ProviderError, UsageError } from '../../src/errors.js';
import { DRY_RUN, InterflowApi, requireInterflow } from '../../src/interflow/api.js';
import { createIo } from '../../src/output/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

const KEY = 'if_test_unit_key_123';
let sandbox: Sandbox;
let profile: Profile;

before(async () => {
  sandbox = await startSandbox({ port: 0, apiKeys: [KEY], statusDelaysMs: [100, 100] });
  profile = {
    name: 'local',
    provider: 'interflow',
    apiKey: KEY,
    baseUrl: `${sandbox.url}/interflow/v1`,
    channelId: '550e8400-e29b-41d4-a716-446655440000',
    defaultCountry: 'BR',
    source: '',
  };
});
after(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

async function withApi<T>(fn: (api: InterflowApi) => Promise<T>, p: Profile = profile): Promise<T> {
  const api = new InterflowApi(p);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

async function seedCustomers(api: InterflowApi, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const c = await api.create<{ id: string }>('/customers', { name: `Cliente ${i}` });
    assert.notEqual(c, DRY_RUN);
    ids.push((c as { id: string }).id);
  }
  return ids;
}

describe('InterflowApi', () => {
  test('sends the Bearer key and JSON, and returns data', async () => {
    await withApi(async (api) => {
      const created = (await api.create('/customers', { name: 'João Silva', tags: ['vip'] })) as Record<string, unknown>;
      assert.equal(created.name, 'João Silva');
      const got = sandbox.received.at(-1)!;
      assert.equal(got.method, 'POST');
      assert.equal(got.path, '/interflow/v1/customers');
      assert.equal(got.headers['authorization'], `Bearer ${KEY}`);
      assert.match(got.headers['content-type']!, /^application\/json/);
      assert.deepEqual(got.body, { name: 'João Silva', tags: ['vip'] });
      const again = await api.get(`/customers/${String(created.id)}`);
      assert.deepEqual(again, created);
    });
  });

  test('list follows page and per_page and reads meta', async () => {
    await withApi(async (api) => {
      await seedCustomers(api, 7);
      const page = await api.list('/customers', { page: 2, perPage: 3 });
      assert.deepEqual(page.meta, { page: 2, per_page: 3, total: 7 });
      assert.deepEqual(
        page.data.map((c) => c.name),
        ['Cliente 4', 'Cliente 5', 'Cliente 6'],
      );
      assert.equal(sandbox.received.at(-1)!.path, '/interflow/v1/customers?page=2&per_page=3');
    });
  });

  test('listAll streams every page once, in order, and stops at meta.total', async () => {
    await withApi(async (api) => {
      await seedCustomers(api, 23);
      sandbox.received.length = 0;
      const pages: number[][] = [];
      const names: string[] = [];
      for await (const page of api.listAll<{ name: string }>('/customers', { perPage: 10 })) {
        pages.push([page.meta.page, page.data.length]);
        names.push(...page.data.map((c) => c.name));
      }
      assert.deepEqual(pages, [
        [1, 10],
        [2, 10],
        [3, 3],
      ]);
      assert.deepEqual(
        names,
        Array.from({ length: 23 }, (_, i) => `Cliente ${i + 1}`),
      );
      assert.equal(sandbox.received.length, 3, 'no request past the last page');
    });
  });

  test('listAll: an exact multiple of per_page asks no empty page; an empty list is one request', async () => {
    await withApi(async (api) => {
      let n = 0;
      for await (const page of api.listAll('/customers')) n += page.data.length;
      assert.equal(n, 0);
      assert.equal(sandbox.received.length, 1);
      await seedCustomers(api, 20);
      sandbox.received.length = 0;
      for await (const page of api.listAll('/customers', { perPage: 10 })) n += page.data.length;
      assert.equal(n, 20);
      assert.equal(sandbox.received.length, 2);
    });
  });

  test('listAll yields a page before asking for the next one (streaming)', async () => {
    await withApi(async (api) => {
      await seedCustomers(api, 5);
      sandbox.received.length = 0;
      const it = api.listAll('/customers', { perPage: 2 });
      const first = await it.next();
      assert.equal(first.done, false);
      assert.equal(sandbox.received.length, 1);
      await it.return(undefined);
    });
  });

  test('a refusal is a ProviderError with the code, the field and a hint; 404 exit 1', async () => {
    await withApi(async (api) => {
      await assert.rejects(api.create('/customers', { name: 'X', email: 'not-an-email' }), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.exitCode, 1);
        assert.equal(err.info.status, 400);
        assert.equal(err.info.code, 'VALIDATION_ERROR');
        assert.match(err.message, /email/);
        assert.ok(Array.isArray(err.info.details));
        assert.ok(err.hint);
        return true;
      });
      await assert.rejects(api.get('/customers/cust_nope'), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.info.code, 'CUSTOMER_NOT_FOUND');
        assert.equal(err.exitCode, 1);
        return true;
      });
    });
  });

  test('a wrong key is exit 4', async () => {
    await withApi(
      async (api) => {
        await assert.rejects(api.list('/customers'), (err: unknown) => err instanceof ProviderError && err.exitCode === 4);
      },
      { ...profile, apiKey: 'if_wrong_key_000' },
    );
  });

  test('--dry-run: a write prints the request with the key as *** and sends nothing', async () => {
    let out = '';
    const io = createIo({ stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: () => true } });
    const api = new InterflowApi(profile, { dryRun: { io } });
    try {
      const r = await api.delete('/customers/cust_1');
      assert.equal(r, DRY_RUN);
      assert.equal(sandbox.received.length, 0);
      assert.ok(!out.includes(KEY));
      assert.deepEqual(JSON.parse(out), {
        method: 'DELETE',
        url: `${sandbox.url}/interflow/v1/customers/cust_1`,
        headers: { Authorization: 'Bearer ***', 'Content-Type': 'application/json' },
      });
    } finally {
      await api.close();
    }
  });

  test('requireInterflow refuses another provider with exit 2, naming the profile and the family', () => {
    assert.doesNotThrow(() => requireInterflow(profile, 'customers'));
    assert.throws(
      () => requireInterflow({ ...profile, name: 'turn', provider: 'turn' }, 'customers'),
      (err: unknown) =>
        err instanceof UsageError &&
        err.exitCode === 2 &&
        err.message === "profile 'turn' uses turn, which has no customers API: `interflow customers` needs an interflow profile",
    );
  });
});
