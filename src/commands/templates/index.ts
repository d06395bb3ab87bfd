/**
 * `interflow templates list | show NAME | lint | import FILE`: the templates catalog (README:
 * Templates catalog). Flags and help only; the work is in ./run.ts (app bundle).
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `templates` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'the templates catalog that template sends are checked against (list, show, lint, import)',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const templates = program
    .command('templates')
    .description(listing.description)
    .addHelpText(
      'after',
      examples(
        'interflow templates import export.json --templates templates.json',
        'interflow templates list',
        'interflow templates show order_update --language pt_BR',
        'interflow templates lint',
      ) +
        '\nThe catalog is --templates FILE, else templatesFile in the rc (relative to it). With one,\n' +
        '`send template`, `bulk --template` and `compose` check every message against it before sending.\n',
    );

  templates
    .command('list')
    .alias('ls')
    .description('list the templates of the catalog: name, language, category, status, parameters')
    .addHelpText(
      'after',
      examples('interflow templates list', 'interflow templates list --json name,language,status', 'interflow templates list --templates ./templates.yaml'),
    )
    .action(lazy('templates list'));

  templates
    .command('show')
    .description('show a template as the catalog has it, and the flags a send of it needs')
    .argument('<name>', 'the template name')
    .option('--language <code>', 'only this language (default: every language of the name)')
    .addHelpText(
      'after',
      examples('interflow templates show order_update', 'interflow templates show order_update --language pt_BR --json'),
    )
    .action(lazy('templates show'));

  templates
    .command('lint')
    .description('check the catalog for what WhatsApp would refuse or a send could not fill; exit 2 on problems')
    .addHelpText(
      'after',
      examples('interflow templates lint', 'interflow templates lint --templates ./templates.json --json'),
    )
    .action(lazy('templates lint'));

  templates
    .command('import')
    .description('add the templates of a Graph API export (GET /message_templates) to the catalog, replacing same name+language')
    .argument('<file>', "a Graph API export ({\"data\": […]}), JSON or YAML; '-' reads stdin")
    .addHelpText(
      'after',
      examples(
        'interflow templates import export.json',
        'curl -s "https://graph.facebook.com/v23.0/$WABA_ID/message_templates?limit=250" -H "Authorization: Bearer $TOKEN" | interflow templates import - --templates templates.json',
      ),
    )
    .action(lazy('templates import'));
}
