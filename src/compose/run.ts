/**
 * The template composer: `interflow compose [to]` and `interflow send template --interactive`.
 * It asks for each part of a template message with defaults from the profile and the flags
 * given, checks every answer as it is typed by building the message exactly as the flags would
 * (same zod rules, same provider refusals), shows a preview, and ends in a choice: send it now,
 * show the exact request, save it as a template file (README: Template files), or cancel.
 * `--print-file` prints the template file instead of asking what to do.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { confirm, input, select } from '@inquirer/prompts';
import { CancelledError, CliError, fileProblem, UsageError } from '../errors.js';
import type { Profile } from '../config/profile.js';
import { buildMessage, templateFileOf, type Flags } from '../message/build.js';
import { normalizeRecipient } from '../message/recipient.js';
import type { Message } from '../message/model.js';
import { printJson } from '../output/format.js';
import { getAdapter } from '../providers/index.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { CommandContext } from '../commands/context.js';
import type { ComposeOptions } from '../commands/compose/compose.js';
import { dryRunView, sendOne } from '../commands/send/run.js';
import { asking, previewInput, promptContext, requireTerminal, textBlock, type Check } from '../interactive/prompts.js';
import { collectPlaceholders } from '../bulk/placeholders.js';
import { bodyParams, fillBody } from './body-text.js';
import { style } from '../output/style.js';
import type { Catalog, TemplateEntry } from '../templates/catalog.js';
import {
  BODY_PARAM_MAX,
  BUTTON_PARAM_MAX,
  HEADER_PARAM_MAX,
  refusedStatuses,
  renderBody,
  shapeOf,
  textProblem,
  type ButtonShape,
  type TemplateShape,
} from '../templates/check.js';
import { catalogFor, checkOne } from '../templates/use.js';

type TemplateMessage = Extract<Message, { type: 'template' }>;

/** Common language codes first; any other code can be typed. */
const languages: [code: string, label: string][] = [
  ['pt_BR', 'Português (Brasil)'],
  ['en_US', 'English (US)'],
  ['es', 'Español'],
  ['es_MX', 'Español (México)'],
  ['es_AR', 'Español (Argentina)'],
  ['en_GB', 'English (UK)'],
  ['pt_PT', 'Português (Portugal)'],
  ['fr', 'Français'],
  ['it', 'Italiano'],
  ['de', 'Deutsch'],
];

const headerFlags = { text: 'headerText', image: 'headerImage', video: 'headerVideo', document: 'headerDocument' } as const;
type HeaderKind = keyof typeof headerFlags;

/** A recipient used only to check answers when the template is composed for a file. */
const CHECK_RECIPIENT = '5511999999999';

const INSTEAD =
  'give the template with flags instead: interflow send template <to> --name NAME --language pt_BR --param VALUE… ' +
  '[--header-image URL] [--quick-reply 0=PAYLOAD] [--button-url 1=SUFFIX], or --file template.json';

export async function runCompose({ to: recipient, ...options }: ComposeOptions, ctx: CommandContext): Promise<void> {
  const printFile = options.printFile === true;
  const command = options.interactive === true ? 'send template --interactive' : 'compose';
  if (options.file !== undefined) {
    throw new UsageError(`${command} composes the template: drop --file (or drop --interactive to send ${options.file})`);
  }
  if (options.hsm === true) throw new UsageError(`${command} composes templates, not Turn's deprecated hsm: drop --hsm`);
  requireTerminal(ctx.io, command, INSTEAD, { stdoutMayBePiped: printFile });
  const profile = await ctx.loadProfile();
  const adapter = getAdapter(profile.provider);
  if (!adapter.capabilities.includes('template')) {
    throw new UsageError(
      `profile '${profile.name}' uses ${profile.provider}, which has no template messages: compose with an interflow, turn or socialminer profile (--profile NAME)`,
    );
  }
  // With a templates catalog, the composer offers its templates and asks exactly their parameters.
  const catalog = ctx.globals.templates === false ? undefined : await catalogFor(ctx.globals, ctx.io);
  const composer = new Composer(ctx, profile, adapter, options, catalog);
  const to = printFile ? undefined : await composer.recipient(recipient);
  for (;;) {
    await composer.ask();
    const msg = composer.message(to);
    composer.showPreview(msg, to);
    if (printFile) {
      ctx.io.out(JSON.stringify(templateFileOf(msg), null, 2) + '\n');
      return;
    }
    if ((await composer.finish(msg, to)) !== 'edit') return;
    composer.again();
  }
}

class Composer {
  /** The answers so far, as the flags of `send template` would give them. */
  private flags: Flags = {};
  private bodyText = '';
  /** The catalog entry chosen (catalog mode). */
  private entry?: TemplateEntry;
  private readonly context;

  constructor(
    private readonly ctx: CommandContext,
    private readonly profile: Profile,
    private readonly adapter: ProviderAdapter,
    /** Flags given on the command line: each one becomes the default of its question. */
    private given: Flags,
    private readonly catalog?: Catalog,
  ) {
    this.context = promptContext(ctx.io);
  }

  /** Back to the questions: the answers so far become their defaults. */
  again(): void {
    this.given = { ...this.given, ...this.flags };
    this.flags = {};
    this.bodyText = '';
  }

  /** Builds the message from the answers so far plus `over`, exactly as the flags would; throws. */
  private build(over: Flags = {}, to = CHECK_RECIPIENT): TemplateMessage {
    const msg = buildMessage('template', to, { ...this.flags, ...over }, { profile: this.profile, readFile: () => '' });
    this.adapter.buildSend(msg, this.profile);
    return msg as TemplateMessage;
  }

  /** A validator for one answer: the reason the message would be refused with it, in the user's words. */
  private check(over: (value: string) => Flags): Check {
    return (value) => {
      try {
        this.build(over(value));
        return true;
      } catch (err) {
        if (err instanceof CliError) return withoutFlagName(err.message);
        throw err;
      }
    };
  }

  async recipient(given: string | undefined): Promise<string | undefined> {
    if (given !== undefined) return normalizeRecipient(given, this.profile.defaultCountry);
    const answer = await asking(
      input(
        {
          message: 'Recipient (phone number; empty to compose for a file only)',
          validate: (v) => {
            if (!v.trim()) return true;
            try {
              normalizeRecipient(v, this.profile.defaultCountry);
              return true;
            } catch (err) {
              return err instanceof CliError ? err.message : String(err);
            }
          },
        },
        this.context,
      ),
    );
    return answer.trim() ? normalizeRecipient(answer, this.profile.defaultCountry) : undefined;
  }

  async ask(): Promise<void> {
    const g = this.given;
    const str = (k: string): string | undefined => (typeof g[k] === 'string' ? (g[k] as string) : undefined);
    if (this.catalog) {
      this.entry = await this.pick(str('name'), str('language'));
      this.flags.name = this.entry.name;
      this.flags.language = this.entry.language;
    } else {
      const name = await asking(
        input(
          { message: 'Template name (as approved)', default: str('name'), validate: this.check((v) => ({ name: v.trim() })) },
          this.context,
        ),
      );
      this.flags.name = name.trim();
      this.flags.language = await this.language(str('language') ?? 'pt_BR');
    }
    if (this.profile.provider === 'turn') {
      const namespace = await asking(
        input(
          {
            message: 'Namespace',
            default: str('namespace') ?? this.profile.namespace,
            validate: this.check((v) => (v.trim() ? { namespace: v.trim() } : {})),
          },
          this.context,
        ),
      );
      // The profile's own namespace is left out, so the saved file suits other providers too.
      if (namespace.trim() && namespace.trim() !== this.profile.namespace) this.flags.namespace = namespace.trim();
      const policy = await asking(
        select(
          {
            message: 'Language policy',
            default: str('policy') ?? 'deterministic',
            choices: [
              { value: 'deterministic', name: 'deterministic', description: 'exactly this language' },
              { value: 'fallback', name: 'fallback', description: "the user's language when the template has it" },
            ],
          },
          this.context,
        ),
      );
      // deterministic is Turn's default: left out, the saved file also suits Interflow and SocialMiner.
      if (policy !== 'deterministic') this.flags.policy = policy;
    }
    if (this.entry) return this.fromEntry(this.entry);
    await this.header();
    await this.body();
    await this.buttons();
  }

  /** Catalog mode: a template of the catalog (refused statuses shown, not selectable). */
  private async pick(name: string | undefined, language: string | undefined): Promise<TemplateEntry> {
    const catalog = this.catalog!;
    if (catalog.templates.length === 0)
      throw new UsageError(`the templates catalog ${catalog.shown} is empty`, { hint: 'interflow templates import export.json' });
    const preferred = catalog.templates.find((t) => t.name === name && (language === undefined || t.language === language));
    const chosen = await asking(
      select(
        {
          message: 'Template',
          default: preferred,
          pageSize: 12,
          choices: catalog.templates.map((t) => {
            const status = t.status?.toUpperCase();
            return {
              value: t,
              name: `${t.name} (${t.language})${t.category ? ` · ${t.category}` : ''}${status && status !== 'APPROVED' ? ` · ${status}` : ''}`,
              description: shapeOf(t).body.text,
              disabled: status && refusedStatuses.includes(status) ? '(cannot be sent)' : false,
            };
          }),
        },
        this.context,
      ),
    );
    return chosen;
  }

  /** Catalog mode: exactly the parameters the entry takes, each checked as it is typed. */
  private async fromEntry(entry: TemplateEntry): Promise<void> {
    const shape = shapeOf(entry);
    await this.entryHeader(shape.header);
    await this.entryBody(shape);
    await this.entryButtons(shape.buttons);
  }

  /** A flag given on the command line, when it is text: the default of its question. */
  private givenText(k: string): string | undefined {
    const g = this.given;
    return typeof g[k] === 'string' ? (g[k] as string) : undefined;
  }

  /** A validator of a parameter's text: Meta's rules (at most `max` characters), then the message built with it. */
  private textRule(max: number, over: (v: string) => Flags): Check {
    const built = this.check(over);
    return (v) => textProblem(v, max) ?? built(v);
  }

  /** The entry's header: a media URL (or id), or the value of a text header's {{1}}; nothing for a fixed one. */
  private async entryHeader(h: TemplateShape['header']): Promise<void> {
    if (h && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(h.format)) {
      const kind = h.format.toLowerCase() as HeaderKind;
      const flag = headerFlags[kind];
      const value = await asking(
        input(
          {
            message: `${cap(kind)} header ${this.profile.provider === 'interflow' ? 'URL' : 'URL or media id'}`,
            default: this.givenText(flag),
            validate: this.check((v) => ({ [flag]: v.trim() })),
          },
          this.context,
        ),
      );
      this.flags[flag] = value.trim();
    } else if (h && h.format === 'TEXT' && h.param !== undefined) {
      this.flags.headerText = await asking(
        input(
          {
            message: `Header ${h.text ?? ''}: value for {{${h.param}}}`,
            default: this.givenText('headerText'),
            validate: this.textRule(HEADER_PARAM_MAX, (v) => ({ headerText: v })),
          },
          this.context,
        ),
      );
    }
  }

  /** The body's values, a question each, the body previewed with them as they are typed. */
  private async entryBody(shape: TemplateShape): Promise<void> {
    const keys: string[] = shape.named ? shape.body.names : shape.body.positional.map(String);
    const g = this.given;
    const givenParams = Array.isArray(g.param) ? (g.param as string[]) : [];
    const values: string[] = [];
    const mark = style(this.ctx.io.color).bold;
    const param = (key: string, v: string): string => (shape.named ? `${key}=${v}` : v);
    for (const [i, key] of keys.entries()) {
      const value = await asking(
        previewInput(
          {
            message: `Value for {{${key}}}`,
            default: givenParams[i],
            validate: this.textRule(BODY_PARAM_MAX, (v) => ({ param: [...values.map((x, j) => param(keys[j]!, x)), param(key, v)] })),
            preview: (typed) =>
              indent(
                renderBody(
                  shape,
                  [...values, typed].map((v) => (v ? mark(v) : v)).map((v, j) => v || `{{${keys[j]}}}`),
                  shape.named ? keys : undefined,
                ),
              ),
          },
          this.context,
        ),
      );
      values.push(value);
    }
    this.flags.param = values.map((v, i) => param(keys[i]!, v));
    this.bodyText = shape.named ? '' : shape.body.text;
  }

  /** The buttons' values: one for each URL button ending in {{1}}, an optional payload for each quick reply. */
  private async entryButtons(buttons: readonly ButtonShape[]): Promise<void> {
    const urls: string[] = [];
    const quick: string[] = [];
    for (const b of buttons) {
      if (b.dynamic) {
        const v = await asking(
          input(
            {
              message: `Button ${b.index} "${b.text ?? ''}" ${b.url}: value for {{1}}`,
              validate: this.textRule(BUTTON_PARAM_MAX, (v) => ({ buttonUrl: [...urls, `${b.index}=${v}`] })),
            },
            this.context,
          ),
        );
        urls.push(`${b.index}=${v}`);
      } else if (b.type === 'QUICK_REPLY') {
        const v = await asking(
          input(
            {
              message: `Quick reply ${b.index} "${b.text ?? ''}": payload (empty: none)`,
              validate: (v) => (v.trim() ? this.check(() => ({ quickReply: [...quick, `${b.index}=${v}`] }))(v) : true),
            },
            this.context,
          ),
        );
        if (v.trim()) quick.push(`${b.index}=${v}`);
      }
    }
    this.flags.buttonUrl = urls;
    this.flags.quickReply = quick;
  }

  private async language(initial: string): Promise<string> {
    const known = languages.some(([code]) => code === initial);
    const choice = await asking(
      select(
        {
          message: 'Language',
          default: known ? initial : 'other',
          pageSize: 11,
          choices: [...languages.map(([code, label]) => ({ value: code, name: `${code}  ${label}` })), { value: 'other', name: 'other…' }],
        },
        this.context,
      ),
    );
    if (choice !== 'other') return choice;
    const code = await asking(
      input(
        {
          message: 'Language code',
          default: known ? undefined : initial,
          validate: this.check((v) => ({ language: v.trim() })),
        },
        this.context,
      ),
    );
    return code.trim();
  }

  private async header(): Promise<void> {
    const g = this.given;
    const givenKind = (Object.keys(headerFlags) as HeaderKind[]).find((k) => typeof g[headerFlags[k]] === 'string');
    const kind = await asking(
      select<HeaderKind | 'none'>(
        {
          message: 'Header',
          default: givenKind ?? 'none',
          choices: [
            { value: 'none', name: 'none' },
            { value: 'text', name: 'text', description: 'the value of the header text parameter' },
            { value: 'image', name: 'image' },
            { value: 'video', name: 'video' },
            { value: 'document', name: 'document' },
          ],
        },
        this.context,
      ),
    );
    if (kind === 'none') return;
    const flag = headerFlags[kind];
    const initial = givenKind === kind ? (g[flag] as string) : undefined;
    const byUrlOnly = this.profile.provider === 'interflow';
    const value = await asking(
      input(
        {
          message: kind === 'text' ? 'Header text' : `${cap(kind)} ${byUrlOnly ? 'URL' : 'URL or media id'}`,
          default: initial,
          validate: this.check((v) => ({ [flag]: kind === 'text' ? v : v.trim() })),
        },
        this.context,
      ),
    );
    this.flags[flag] = kind === 'text' ? value : value.trim();
    if (kind === 'document') {
      const filename = await asking(
        input(
          {
            message: 'File name shown for the document (optional)',
            default: typeof g.headerFilename === 'string' ? g.headerFilename : undefined,
            validate: this.check((v) => (v.trim() ? { headerFilename: v.trim() } : {})),
          },
          this.context,
        ),
      );
      if (filename.trim()) this.flags.headerFilename = filename.trim();
    }
  }

  private async body(): Promise<void> {
    const givenParams = Array.isArray(this.given.param) ? (this.given.param as string[]) : [];
    this.bodyText = await asking(
      textBlock(
        {
          message: 'Body text as approved, with {{1}}, {{2}}… (paste it; Enter alone to skip)',
          help: 'the parameters are counted from it, and it is previewed as you fill them',
        },
        this.context,
      ),
    );
    let count: number;
    if (this.bodyText) {
      const params = bodyParams(this.bodyText);
      count = params.count;
      if (params.missing.length) {
        this.ctx.io.err(
          `warning: the text has no ${params.missing.map((n) => `{{${n}}}`).join(', ')}; WhatsApp numbers parameters 1, 2, 3…, so ${count} values are asked\n`,
        );
      }
    } else {
      const answer = await asking(
        input(
          {
            message: 'How many body parameters?',
            default: String(givenParams.length),
            validate: (v) => (/^\d{1,2}$/.test(v.trim()) ? true : 'a whole number, like 2 (0 when the body has none)'),
          },
          this.context,
        ),
      );
      count = Number(answer.trim());
    }
    const values: string[] = [];
    const mark = style(this.ctx.io.color).bold;
    for (let n = 1; n <= count; n++) {
      const value = await asking(
        previewInput(
          {
            message: `Value for {{${n}}}`,
            default: givenParams[n - 1],
            validate: this.check((v) => ({ param: [...values, v] })),
            preview: (typed) =>
              this.bodyText
                ? indent(fillBody(this.bodyText, [...values, typed || undefined], mark))
                : `  ${[...values, typed].map((v, i) => `{{${i + 1}}} = ${v}`).join('   ')}`,
          },
          this.context,
        ),
      );
      values.push(value);
    }
    this.flags.param = values;
  }

  private async buttons(): Promise<void> {
    // Buttons given as flags are kept (and checked now); more can be added.
    const given = (k: string): string[] => (Array.isArray(this.given[k]) ? (this.given[k] as string[]) : []);
    const quick = given('quickReply');
    const urls = given('buttonUrl');
    const used = new Set([...quick, ...urls].map((b) => Number(b.split('=')[0])));
    if (used.size) {
      const problem = this.check(() => ({ quickReply: quick, buttonUrl: urls }))('');
      if (problem !== true) throw new UsageError(`--quick-reply/--button-url: ${problem}`);
      this.ctx.io.err(`buttons from the flags: ${[...quick.map((b) => `quick reply ${b}`), ...urls.map((b) => `URL ${b}`)].join(', ')}\n`);
    }
    for (;;) {
      if (used.size >= 10) break;
      const kind = await asking(
        select(
          {
            message: used.size ? 'Another button?' : 'Buttons with a parameter?',
            default: 'done',
            choices: [
              { value: 'done', name: used.size ? 'no more' : 'none' },
              { value: 'quick_reply', name: 'quick reply', description: 'the payload your webhook receives when it is tapped' },
              { value: 'url', name: 'URL', description: "the dynamic end of the button's URL" },
            ],
          },
          this.context,
        ),
      );
      if (kind === 'done') break;
      let next = 0;
      while (used.has(next)) next++;
      const indexText = await asking(
        input(
          {
            message: 'Button index (its position in the template, from 0)',
            default: String(next),
            validate: (v) =>
              !/^\d$/.test(v.trim()) ? 'a number from 0 to 9' : used.has(Number(v.trim())) ? `button ${v.trim()} is given already` : true,
          },
          this.context,
        ),
      );
      const index = Number(indexText.trim());
      const value = await asking(
        input(
          {
            message: kind === 'quick_reply' ? 'Payload' : 'URL suffix',
            validate: this.check((v) =>
              kind === 'quick_reply'
                ? { quickReply: [...quick, `${index}=${v}`], buttonUrl: urls }
                : { quickReply: quick, buttonUrl: [...urls, `${index}=${v}`] },
            ),
          },
          this.context,
        ),
      );
      (kind === 'quick_reply' ? quick : urls).push(`${index}=${value}`);
      used.add(index);
    }
    this.flags.quickReply = quick;
    this.flags.buttonUrl = urls;
  }

  message(to: string | undefined): TemplateMessage {
    const msg = this.build({}, to ?? CHECK_RECIPIENT);
    return this.catalog && this.entry ? (checkOne(this.catalog, msg).message as TemplateMessage) : msg;
  }

  showPreview(msg: TemplateMessage, to: string | undefined): void {
    const io = this.ctx.io;
    const bold = style(io.color).bold;
    const policy = msg.policy ?? (this.profile.provider === 'interflow' ? undefined : 'deterministic');
    const namespace = msg.namespace ?? (this.profile.provider === 'turn' ? this.profile.namespace : undefined);
    const language = [msg.language, policy && `policy ${policy}`, namespace && `namespace ${namespace}`].filter(Boolean).join(', ');
    const header = msg.header
      ? msg.header.type === 'text'
        ? `text "${msg.header.text}"`
        : `${msg.header.type} ${msg.header.url ?? `media id ${msg.header.id}`}${msg.header.filename ? ` (${msg.header.filename})` : ''}`
      : 'none';
    const body = this.entry
      ? `\n${indent(
          renderBody(
            shapeOf(this.entry),
            msg.body.map((v) => bold(v)),
            shapeOf(this.entry).named ? shapeOf(this.entry).body.names : undefined,
          ),
          4,
        )}`
      : this.bodyText
        ? `\n${indent(fillBody(this.bodyText, msg.body, bold), 4)}`
        : msg.body.length
          ? ` ${msg.body.map((v, i) => `{{${i + 1}}} = ${v}`).join('   ')}`
          : ' (no parameters)';
    const buttons = msg.buttons.length
      ? msg.buttons
          .map((b) => `[${b.index}] ${b.type === 'quick_reply' ? `quick reply → ${b.payload}` : `URL suffix → ${b.text}`}`)
          .join('   ')
      : 'none';
    io.err(
      `\n${bold('Preview')} (${this.profile.name}, ${this.profile.provider})\n` +
        (to ? `  To:       ${to}\n` : '') +
        `  Template: ${msg.name} (${language})\n` +
        `  Header:   ${header}\n` +
        `  Body:${body}\n` +
        `  Buttons:  ${buttons}\n\n`,
    );
  }

  /** What now: send, show, save, done/cancel; 'edit' when the person goes back to the questions. */
  async finish(msg: TemplateMessage, to: string | undefined): Promise<'edit' | undefined> {
    // Values bulk would fill per row ({{column}}, as in bulk --template-file): not for sending as they are.
    const placeholders = collectPlaceholders(templateFileOf(msg)).size > 0;
    const cannotSend = !to ? 'no recipient was given' : placeholders ? 'it holds {{column}} placeholders: save it for bulk' : false;
    let didSomething = false;
    for (;;) {
      const action = await asking(
        select(
          {
            message: 'What now?',
            choices: [
              {
                value: 'send',
                name: to ? `send it to ${to} now${this.ctx.globals.dryRun ? ' (--dry-run: show it)' : ''}` : 'send it now',
                disabled: cannotSend,
              },
              { value: 'dry-run', name: 'show the exact request (dry run)', disabled: cannotSend },
              { value: 'save', name: 'save it to a template file' },
              { value: 'quit', name: didSomething ? 'done' : 'cancel' },
              { value: 'edit', name: '← edit: answer the questions again (your answers are the defaults)' },
            ],
          },
          this.context,
        ),
      );
      if (action === 'send') {
        await sendOne(this.ctx, 'template', to!, this.flags);
        return undefined;
      }
      if (action === 'dry-run') {
        printJson(this.ctx.io, dryRunView(this.adapter.buildSend(msg, this.profile), this.adapter));
      } else if (action === 'save') {
        await this.save(msg, to);
      } else if (action === 'edit') {
        return 'edit';
      } else {
        if (!didSomething) throw new CancelledError('cancelled: nothing was sent or written');
        return undefined;
      }
      didSomething = true;
    }
  }

  private async save(msg: TemplateMessage, to: string | undefined): Promise<void> {
    let path: string;
    for (;;) {
      path = (
        await asking(
          input(
            { message: 'Save to', default: `${msg.name}.json`, validate: (v) => (v.trim() ? true : 'a file name, like pedido.json') },
            this.context,
          ),
        )
      ).trim();
      if (!existsSync(path)) break;
      if (await asking(confirm({ message: `${path} exists. Replace it?`, default: false }, this.context))) break;
    }
    try {
      writeFileSync(path, JSON.stringify(templateFileOf(msg), null, 2) + '\n');
    } catch (err) {
      throw new UsageError(`could not save ${path}: ${fileProblem(err)}`);
    }
    const profile = this.ctx.globals.profile ? ` --profile ${this.profile.name}` : '';
    const quoted = /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
    this.ctx.io.err(
      `saved ${path}\n` +
        `  send it:  interflow send template ${to ?? '<to>'} --file ${quoted}${profile}\n` +
        `  in bulk:  interflow bulk contatos.csv --template-file ${quoted}${profile}\n`,
    );
  }
}

/** "--name: template name must be…" → "template name must be…" (the question says which field). */
function withoutFlagName(message: string): string {
  return message.replace(/^--[\w*/-]+: /, '');
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
const indent = (s: string, n = 2): string =>
  s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
