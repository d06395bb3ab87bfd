/**
 * Bundled in place of node:http2 for undici, which loads it at start-up only to speak HTTP/2 when
 * a Client allows it (allowH2). interflow never does. This is the very object undici itself falls
 * back to where http2 is unavailable (lib/dispatcher/client-h2.js).
 */
export const constants = {};
