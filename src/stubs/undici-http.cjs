'use strict';
// Bundled in place of node:http for undici (src/build/build.mjs, undiciLean). undici's Client
// reads two things from it: http.maxHeaderSize, the default for a Client's maxHeaderSize, and
// IncomingMessage, to drop the socket of a request body that is an incoming message when it
// destroys one (interflow's bodies are strings). Loading node:http (its agent, client, server
// and parser modules) costs a one-off command about 2 ms for those two.
const flagged = (list) => /--max-http-header-size\b/.test(list);

module.exports = {
  // Node's own default, 16 KiB, unless the process was started with --max-http-header-size:
  // then what Node says.
  get maxHeaderSize() {
    if (flagged(process.execArgv.join(' ')) || flagged(process.env.NODE_OPTIONS ?? '')) return require('node:http').maxHeaderSize;
    return 16384;
  },
  IncomingMessage: class IncomingMessage {},
};
