#!/usr/bin/env node
// `npm run bench`: every bench script, one after the other; each prints its figures with their
// budgets. Exits 1 when any figure is past its budget. Quick by default (a few minutes on a shared
// machine); --full adds the million-row and paced runs.
//
//   npm run bench [-- --full]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const full = process.argv.includes('--full');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // it slows every Node start

const scripts = [
  ['startup', ['bench/startup.js', '--runs', full ? '30' : '10']],
  ['units', ['--import', 'tsx', 'bench/units.js', ...(full ? ['--million'] : [])]],
  ['bulk', ['bench/bulk.js', ...(full ? ['--million', '--paced'] : ['--rows', '10000', '--concurrency', '16,64'])]],
  ['scale', ['bench/scale.js', ...(full ? ['--shards', '4', '--seconds', '15', '--rows', '80000'] : [])]],
  ['tracking', ['bench/tracking.js', '--rows', full ? '20000' : '5000']],
  ['templates', ['bench/templates.js', '--rows', full ? '1000000' : '100000']],
];
const failed = [];
for (const [name, args] of scripts) {
  console.log(`\n== ${name}: node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
console.log(failed.length ? `\npast budget or failed: ${failed.join(', ')}` : '\nevery figure within its budget');
process.exitCode = failed.length ? 1 : 0;
