#!/usr/bin/env node
// The bare undici Pool loop of bench/common.js in a process of its own, started cold as
// `interflow bulk` is: `node bench/bare.js URL ROWS CONCURRENCY` prints the requests a second
// between its first answer and its last (the rate bulk's journal gives, startup left out).
import { bareLoop } from './common.js';

const [url, n, concurrency] = process.argv.slice(2);
const { sustained } = await bareLoop(url, Number(n), Number(concurrency));
console.log(sustained.toFixed(1));
