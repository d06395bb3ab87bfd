#!/usr/bin/env node
// The entry: enable Node's module compile cache where it exists (Node >= 22.1), then load the
// bundled CLI. Everything else lives in dist/ (built from src/ by `npm install`).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
await main();
