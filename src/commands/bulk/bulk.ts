import { keysOf } from '../fields.js';
import { interactoOptions, templateOptions } from '../message-options.js';
import { int, rate } from '../parsers.js';
import { arg, defineCommand, flag, list, option, text, type Options } from '../spec.js';
import type { BulkLine } from './run.js';

const MESSAGE = 'Message (every value takes {{column}} placeholders):';
const RUN = 'Run:';
const m = { group: MESSAGE };
const r = { group: RUN };

/** Every message flag of `send` is here, and every one takes {{column}} placeholders. */
const messageOptions = {
  text: text('--text <text>', 'a text message', m),
  previewUrl: flag('--preview-url', 'preview the first URL of the text (turn, socialminer)', m),
  kind: text('--kind <kind>', 'a media message: image | video | audio | document | sticker', m),
  url: text('--url <url>', 'media URL', m),
  id: text('--id <mediaId>', 'media id', m),
  caption: text('--caption <text>', 'media caption', m),
  filename: text('--filename <name>', 'document file name', m),
  latitude: text('--latitude <n>', 'a location message: latitude', m),
  longitude: text('--longitude <n>', 'location longitude', m),
  name: text('--name <name>', 'location name, or contact name', m),
  address: text('--address <address>', 'location address', m),
  phone: text('--phone <phone>', 'a contact message: contact phone (with --name)', m),
  contactFile: text('--contact-file <contact.json>', 'a contact message from a JSON file', m),
  vcard: text('--vcard <card.vcf>', 'a contact message from a vCard file', m),
  template: text('--template <name>', 'a template message: the approved template name', m),
  templateFile: text('--template-file <template.json>', 'a template message from a template file (see README: Template files)', m),
  ...(Object.fromEntries(Object.entries(templateOptions).map(([k, o]) => [k, { ...o, group: MESSAGE }])) as typeof templateOptions),
  hsm: flag('--hsm', "Turn's deprecated hsm form of --template", m),
  body: text('--body <text>', 'an interactive message: its text', m),
  button: list('--button <id=title>', 'interactive reply button; repeat (up to 3)', m),
  list: text('--list <list.json>', 'interactive list file', m),
  locationRequest: flag('--location-request', 'interactive location request (turn)', m),
  header: text('--header <text>', 'interactive header text', m),
  footer: text('--footer <text>', 'interactive footer text', m),
  ...interactoOptions(MESSAGE),
};

const runOptions = {
  toColumn: text('--to-column <name>', 'the recipient column (default: to, else phone)', r),
  delimiter: text('--delimiter <char>', "CSV delimiter: ',' ';' tab '|' (default: detected from the header)", r),
  journal: text('--journal <file>', 'journal for resuming (default: <csv>.journal; none for stdin unless given)', r),
  campaign: text(
    '--campaign <name>',
    "record the sent rows under this campaign (default: the journal's name, e.g. contacts.csv); see interflow report",
    r,
  ),
  rate: option('--rate <n/min|n/s>', "requests per minute or second (default: the profile's rateLimit or plan)", rate('--rate'), r),
  batch: option(
    '--batch <n>',
    'interflow: send N rows a request (POST /messages/bulk, N ≤ 100)',
    int('--batch', { min: 1, max: 100 /* INTERFLOW_BATCH_MAX: test/unit/registry.test.ts */ }),
    r,
  ),
  concurrency: option('--concurrency <n>', 'requests in flight at most (default: 8)', int('--concurrency', { min: 1, max: 256 }), r),
  maxAttempts: option(
    '--max-attempts <n>',
    'attempts per row for connect failures, 429 and 503 (default: 5)',
    int('--max-attempts', { min: 1, max: 20 }),
    r,
  ),
  maxErrors: option(
    '--max-errors <n>',
    'stop after this many failed or unknown rows; the rest stay unsent',
    int('--max-errors', { min: 1 }),
    r,
  ),
  retryUnknown: flag('--retry-unknown', 'send again the rows an earlier run left unknown (they may arrive twice)', r),
  output: text('--output <results.csv>', 'write one CSV line per row (row, to, status, id, error)', r),
  shard: text(
    '--shard <I/N>',
    'send only the rows whose recipient falls in shard I of N (run N of them, anywhere: together they send every row once)',
    r,
  ),
  pairInterval: text(
    '--pair-interval <duration>',
    'turn, socialminer: at least this long between two messages to one recipient (default: 6s; 0 = off)',
    r,
  ),
  skipInvalid: flag(
    '--skip-invalid',
    'with a templates catalog: send the rows that fit it; the others end failed (default: refuse the run)',
    r,
  ),
};

const bulkArgs = [arg('<csv>', "CSV file with a header row, or '-' to read stdin")] as const;
const bulkOptions = { ...messageOptions, ...runOptions };
export type BulkOptions = Options<typeof bulkArgs, typeof bulkOptions>;

export default defineCommand({
  name: 'bulk',
  summary: 'send one message per CSV row, paced, resumable, never twice (file or - for stdin)',
  arguments: bulkArgs,
  options: bulkOptions,
  examples: [
    "interflow bulk contatos.csv --template order_confirmation --language pt_BR --param '{{name}}' --param '{{order_id}}'",
    "interflow bulk clientes.csv --text 'Olá, {{nome}}! Seu pedido {{pedido}} saiu para entrega.' --rate 60/min --json | jq -c 'select(.status != \"sent\")'",
    "xsv select phone,name export.csv | interflow bulk - --to-column phone --text 'Oi {{name}}' --journal hoje.journal",
    'interflow bulk contatos.csv --template-file pedido.json --profile turn --output resultados.csv',
    "interflow bulk contatos.csv --text 'Oi {{nome}}' --shard 2/3   # on machine 2 of 3; journal contatos.csv.shard-2-of-3.journal",
    'interflow bulk contatos.csv --template-file pedido.json --profile turn-a,turn-b --rate 80/s   # a pool: each recipient always through the same number',
  ],
  notes:
    '\nEach row ends sent, failed, skipped or unknown. Rerun the same command to resume: messages\n' +
    'already settled are reported from the journal and never sent again, wherever their rows now\n' +
    'are (a row is known by its recipient and message, not its line: an edited or re-sorted CSV\n' +
    'resumes too). Exit 0 when every row was sent or skipped, 3 when some failed or are unknown,\n' +
    '130 after Ctrl-C.\n' +
    '\nScale (README: Scale): --shard I/N splits the rows by recipient across N runs on any machines;\n' +
    '--profile a,b,c sends each recipient always through the same profile of the pool, each at its\n' +
    "own pace; on turn and socialminer a recipient's messages go at least --pair-interval apart.\n",
  json: keysOf<BulkLine>()(['row', 'to', 'status', 'profile', 'id', 'error', 'journal']),
  load: () => import('./run.js').then((m) => m.runBulkCommand),
});
