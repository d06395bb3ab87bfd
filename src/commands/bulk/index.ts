/**
 * `interflow bulk <file.csv | ->`: flags and help only; the work is in ./run.ts (app bundle).
 * Every message flag of `send` is here, and every one takes {{column}} placeholders.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { collect, interactoOptions, templateOptions } from '../message-options.js';

/** What top-level help lists for `bulk` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'send one message per CSV row, paced, resumable, never twice (file or - for stdin)',
  args: ['<csv>'],
  options: true,
};


export function register(program: Command): void {
  const bulk = program
    .command('bulk')
    .description(listing.description)
    .argument('<csv>', "CSV file with a header row, or '-' to read stdin")
    .optionsGroup('Message (every value takes {{column}} placeholders):')
    .option('--text <text>', 'a text message')
    .option('--preview-url', 'preview the first URL of the text (turn, socialminer)')
    .option('--kind <kind>', 'a media message: image | video | audio | document | sticker')
    .option('--url <url>', 'media URL')
    .option('--id <mediaId>', 'media id')
    .option('--caption <text>', 'media caption')
    .option('--filename <name>', 'document file name')
    .option('--latitude <n>', 'a location message: latitude')
    .option('--longitude <n>', 'location longitude')
    .option('--name <name>', 'location name, or contact name')
    .option('--address <address>', 'location address')
    .option('--phone <phone>', 'a contact message: contact phone (with --name)')
    .option('--contact-file <contact.json>', 'a contact message from a JSON file')
    .option('--vcard <card.vcf>', 'a contact message from a vCard file')
    .option('--template <name>', 'a template message: the approved template name')
    .option('--template-file <template.json>', 'a template message from a template file (see README: Template files)');
  templateOptions(bulk)
    .option('--hsm', "Turn's deprecated hsm form of --template")
    .option('--body <text>', 'an interactive message: its text')
    .option('--button <id=title>', 'interactive reply button; repeat (up to 3)', collect)
    .option('--list <list.json>', 'interactive list file')
    .option('--location-request', 'interactive location request (turn)')
    .option('--header <text>', 'interactive header text')
    .option('--footer <text>', 'interactive footer text');
  interactoOptions(bulk)
    .optionsGroup('Run:')
    .option('--to-column <name>', 'the recipient column (default: to, else phone)')
    .option('--delimiter <char>', "CSV delimiter: ',' ';' tab '|' (default: detected from the header)")
    .option('--journal <file>', 'journal for resuming (default: <csv>.journal; none for stdin unless given)')
    .option('--campaign <name>', "record the sent rows under this campaign (default: the journal's name, e.g. contacts.csv); see interflow report")
    .option('--rate <n/min|n/s>', "requests per minute or second (default: the profile's rateLimit or plan)")
    .option('--batch <n>', 'interflow: send N rows a request (POST /messages/bulk, N ≤ 100)')
    .option('--concurrency <n>', 'requests in flight at most (default: 8)')
    .option('--max-attempts <n>', 'attempts per row for connect failures, 429 and 503 (default: 5)')
    .option('--max-errors <n>', 'stop after this many failed or unknown rows; the rest stay unsent')
    .option('--retry-unknown', 'send again the rows an earlier run left unknown (they may arrive twice)')
    .option('--output <results.csv>', 'write one CSV line per row (row, to, status, id, error)')
    .option('--shard <I/N>', 'send only the rows whose recipient falls in shard I of N (run N of them, anywhere: together they send every row once)')
    .option('--pair-interval <duration>', 'turn, socialminer: at least this long between two messages to one recipient (default: 6s; 0 = off)')
    .option('--skip-invalid', 'with a templates catalog: send the rows that fit it; the others end failed (default: refuse the run)')
    .addHelpText(
      'after',
      examples(
        "interflow bulk contatos.csv --template order_confirmation --language pt_BR --param '{{name}}' --param '{{order_id}}'",
        "interflow bulk clientes.csv --text 'Olá, {{nome}}! Seu pedido {{pedido}} saiu para entrega.' --rate 60/min --json | jq -c 'select(.status != \"sent\")'",
        "xsv select phone,name export.csv | interflow bulk - --to-column phone --text 'Oi {{name}}' --journal hoje.journal",
        "interflow bulk contatos.csv --template-file pedido.json --profile turn --output resultados.csv",
        "interflow bulk contatos.csv --text 'Oi {{nome}}' --shard 2/3   # on machine 2 of 3; journal contatos.csv.shard-2-of-3.journal",
        "interflow bulk contatos.csv --template-file pedido.json --profile turn-a,turn-b --rate 80/s   # a pool: each recipient always through the same number",
      ) +
        '\nEach row ends sent, failed, skipped or unknown. Rerun the same command to resume: messages\n' +
        'already settled are reported from the journal and never sent again, wherever their rows now\n' +
        'are (a row is known by its recipient and message, not its line: an edited or re-sorted CSV\n' +
        'resumes too). Exit 0 when every row was sent or skipped, 3 when some failed or are unknown,\n' +
        '130 after Ctrl-C.\n' +
        '\nScale (README: Scale): --shard I/N splits the rows by recipient across N runs on any machines;\n' +
        '--profile a,b,c sends each recipient always through the same profile of the pool, each at its\n' +
        "own pace; on turn and socialminer a recipient's messages go at least --pair-interval apart.\n",
    )
    .action(lazy('bulk'));
}
