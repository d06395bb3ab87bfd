/**
 * Provider error classes: what `bulk` does with each refusal, in one table (README.md, "When a
 * provider refuses", is checked against it by test/unit/error-classes.test.ts).
 *
 * - `meta`: Meta's documented Cloud API codes, as Turn (a forwarding service to Meta) and
 *   SocialMiner return them in Meta's envelope `{"error":{"code":131056,…}}`.
 * - `turn`: the same situations in the WhatsApp on-premise numbering Turn may still answer with
 *   (`{"errors":[{"code":1015,…}]}`).
 * - `interflow`: the codes Interflow's document shows.
 * - `interacto`: Interacto documents no error; its NestJS answers name the status in `error`
 *   ("Not Found" → NOT_FOUND). On its one endpoint a 404 is the instance (or the base URL) not
 *   found and a 422 the instance disconnected: every row would get it, so they stop the run.
 * - `http`: the HTTP status, for every provider when no code above matched.
 *
 * A code decides before its status: 368 comes with 403 but is a policy block (exit 1), not a
 * refused key; 131057 comes with 500 but was surely not accepted (retry later); 131048 comes with
 * 429 but retrying it only makes the number's quality worse (stop).
 */
import type { ProviderId } from '../config/profile.js';
import { ExitCode, type ProviderErrorInfo } from '../errors.js';

export type ErrorClassId = 'retry' | 'retry-recipient' | 'stop-auth' | 'stop' | 'template' | 'fail' | 'unknown';

export interface ErrorClass {
  id: ErrorClassId;
  /** The class as the README names it. */
  title: string;
  /** What bulk does with a row that gets it. */
  does: string;
  /** Meta's Cloud API codes (Turn and SocialMiner). */
  meta?: readonly string[];
  /** Turn's on-premise codes. */
  turn?: readonly string[];
  /** Interflow's codes. */
  interflow?: readonly string[];
  /** Interacto's, as its adapter names them from NestJS's `error` (`Not Found` → NOT_FOUND). */
  interacto?: readonly string[];
  /** HTTP statuses, any provider, when no code matched ('4xx', '5xx': the others of that family). */
  http?: readonly string[];
}

/** Rows to consecutive recipients refused with the same template error that stop the run. */
export const TEMPLATE_STREAK = 10;

/** The wait before the n-th retry (0-based) to a recipient that got 131056: 4^n seconds (Meta's pair rate). */
export const recipientBackoffMs = (n: number): number => 4 ** n * 1000;

export const ERROR_CLASSES: readonly ErrorClass[] = [
  {
    id: 'retry',
    title: 'Retry later',
    does: 'pauses the whole run (Retry-After, else backoff with jitter) and sends the row again, up to `--max-attempts`; it was not accepted, so it is never sent twice',
    meta: ['130429', '131057', '4', '80007'],
    turn: ['1015'],
    http: ['429', '503'],
  },
  {
    id: 'retry-recipient',
    title: 'Retry later, this recipient',
    does: 'backs off that recipient only, 4^n seconds (1, 4, 16, 64…, up to `--max-attempts`), holding its other rows too; every other row flows on',
    meta: ['131056'],
  },
  {
    id: 'stop-auth',
    title: 'Stop the run, exit 4',
    does: 'the key or token is refused: no new row is taken, the rows in flight are recorded, exit 4; the refused row and the rest are sent by a rerun',
    meta: ['190', '0'],
    turn: ['1005'],
    http: ['401', '403'],
  },
  {
    id: 'stop',
    title: 'Stop the run, exit 1',
    does: 'the account, number or channel is blocked: no new row is taken, the rows in flight are recorded, exit 1 with the reason; the rest are sent by a rerun once it is solved',
    meta: ['368', '131031', '131042', '131048'],
    interflow: ['CHANNEL_NOT_FOUND', 'CHANNEL_DISCONNECTED'],
    interacto: ['NOT_FOUND', 'UNPROCESSABLE_ENTITY'],
  },
  {
    id: 'template',
    title: `Fail the row; ${TEMPLATE_STREAK} in a row stop the run`,
    does: `the row fails (a rerun tries it again); the same code on ${TEMPLATE_STREAK} rows in a row stops the run (exit 1): the template is wrong, not the rows, and the rest are not sent`,
    meta: ['132000', '132001', '132005', '132007', '132012', '132015', '132016'],
    turn: ['2000', '2001'],
  },
  {
    id: 'fail',
    title: 'Fail the row',
    does: 'the row fails with the reason and a hint; the other rows go on; a rerun does not send it again (fix the row: an edited row is a new message)',
    meta: ['131026', '131047', '131051', '131052', '131053', '131021', '131049', '131050', '130472', '131008', '131009', '100'],
    turn: ['470', '1013', '1008'],
    interflow: ['VALIDATION_ERROR'],
    http: ['4xx'],
  },
  {
    id: 'unknown',
    title: 'Unknown',
    does: 'the provider may have accepted it: the row is `unknown` and is not sent again unless `--retry-unknown` says so',
    http: ['500', '502', '504', '5xx'],
  },
];

type Family = 'meta' | 'turn' | 'interflow' | 'interacto' | 'http';

/** Where each provider's codes are looked up, in order, before its HTTP status. */
const familiesOf: Record<ProviderId, readonly Family[]> = {
  interflow: ['interflow'],
  interacto: ['interacto'],
  turn: ['meta', 'turn'],
  socialminer: ['meta'],
};

const byCode = new Map<string, ErrorClass>();
for (const c of ERROR_CLASSES) {
  for (const family of ['meta', 'turn', 'interflow', 'interacto', 'http'] as const) {
    for (const code of c[family] ?? []) {
      const key = `${family}:${code}`;
      if (byCode.has(key)) throw new Error(`error-classes: ${key} is in two classes`);
      byCode.set(key, c);
    }
  }
}

const failClass = ERROR_CLASSES.find((c) => c.id === 'fail')!;

/** The class of a provider's refusal (a non-2xx answer, parsed by the adapter's parseError). */
export function classifyError(provider: ProviderId, info: Pick<ProviderErrorInfo, 'status' | 'code'>): ErrorClass {
  for (const family of familiesOf[provider] ?? []) {
    const found = byCode.get(`${family}:${info.code}`);
    if (found) return found;
  }
  return byCode.get(`http:${info.status}`) ?? byCode.get(`http:${Math.floor(info.status / 100)}xx`) ?? failClass;
}

/** The exit code a refusal that ends a command gives: 4 for a refused key or token (190 whatever its status), else 1. */
export function refusalExitCode(provider: ProviderId, info: Pick<ProviderErrorInfo, 'status' | 'code'>): ExitCode {
  return classifyError(provider, info).id === 'stop-auth' ? ExitCode.auth : ExitCode.failure;
}
