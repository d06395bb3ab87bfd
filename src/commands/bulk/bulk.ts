import type { CommandContext } from '../context.js';
import { keysOf } from '../fields.js';
import { interactoOptions, templateOptions } from '../message-options.js';
import { arg, defineCommand, flag, list, text, type Options } from '../spec.js';
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
  rate: text('--rate <n/min|n/s>', "requests per minute or second (default: the profile's rateLimit or plan)", r),
  batch: text('--batch <n>', 'interflow: send N rows a request (POST /messages/bulk, N ≤ 100)', r),
  concurrency: text('--concurrency <n>', 'requests in flight at most (default: 8)', r),
  maxAttempts: text('--max-attempts <n>', 'attempts per row for connect failures, 429 and 503 (default: 5)', r),
  maxErrors: text('--max-errors <n>', 'stop after this many failed or unknown rows; the rest stay unsent', r),
  retryUnknown: flag('--retry-unknown', 'send again the rows an earlier run left unknown (they may arrive twice)', r),
  output: text('--output <results.csv>', 'write one CSV line per row (row, to, status, id, error)', r),
  skipInvalid: flag(
    '--skip-invalid',
    'with a templates catalog: send the rows that fit it; the others end failed (default: refuse the run)',
    r,
  ),
};

const bulkArgs = [arg('<csv>', "CSV file with a header row, or '-' to read stdin")] as const;
const bulkOptions = { ...messageOptions, ...runOptions };
type BulkOptions = Options<typeof bulkArgs, typeof bulkOptions>;

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
  ],
  notes:
    '\nEach row ends sent, failed, skipped or unknown. Rerun the same command to resume: messages\n' +
    'already settled are reported from the journal and never sent again, wherever their rows now\n' +
    'are (a row is known by its recipient and message, not its line: an edited or re-sorted CSV\n' +
    'resumes too). Exit 0 when every row was sent or skipped, 3 when some failed or are unknown,\n' +
    '130 after Ctrl-C.\n',
  json: keysOf<BulkLine>()(['row', 'to', 'status', 'id', 'error', 'journal']),
  // run.ts still takes (ctx, args, options): it is migrated last (other work on bulk lands first).
  load: () =>
    import('./run.js').then(
      (m) =>
        async ({ csv, ...options }: BulkOptions, ctx: CommandContext) =>
          m.runBulkCommand(ctx, [csv], options),
    ),
});
