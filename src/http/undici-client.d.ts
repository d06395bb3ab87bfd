// undici's Client on its own: importing undici's index costs about 4x a bare node start,
// its Client module about 2x. The deep path has no types of its own; borrow the index's.
declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';
  const ClientClass: typeof Client;
  export default ClientClass;
}

declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}
