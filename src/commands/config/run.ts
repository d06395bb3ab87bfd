/**
 * `interflow config trust | untrust [file]`: records (or forgets) a config file's path and content
 * hash in the trust store (src/config/trust-store.ts). Without FILE, the file the search finds
 * from the working directory.
 */
import path from 'node:path';
import { ConfigError, UsageError } from '../../errors.js';
import { describeSearch, displayPath, fileLabel, findConfig, readConfigFile, type FoundConfig } from '../../config/load.js';
import { parseRcFile } from '../../config/schema.js';
import { describeRisk, risksOf } from '../../config/trust.js';
import { contentDigest, trustFile, trustKey, untrustFile } from '../../config/trust-store.js';
import { printJson } from '../../output/format.js';
import type { CommandContext } from '../context.js';

/** What `config trust --json` prints. */
export interface TrustResult {
  /** The file's absolute path (as remembered). */
  file: string;
  trusted: true;
  /** The content hash it is trusted with. */
  digest: string;
  /** What in it could send a secret away (empty: it needed no trust). */
  risks: string[];
  /** Where trusted files are remembered. */
  store: string;
}

/** What `config untrust --json` prints. */
export interface UntrustResult {
  file: string;
  trusted: false;
  /** Whether it was trusted before. */
  wasTrusted: boolean;
}

function fileArgument(file: string | undefined, command: string): string | undefined {
  if (file === undefined) return undefined;
  if (file === '') throw new UsageError(`config ${command}: FILE must be a config file's path`);
  return file;
}

async function target(ctx: CommandContext, file: string | undefined, command: string): Promise<FoundConfig> {
  const env = ctx.io.env;
  const cwd = process.cwd();
  if (file !== undefined) return readConfigFile(path.resolve(cwd, file), env, `config ${command}`);
  const found = await findConfig(cwd, env);
  if (found === null) {
    throw new ConfigError(
      `config ${command}: no configuration found; ${describeSearch({ cwd, env })}; name the file: interflow config ${command} FILE`,
    );
  }
  return found;
}

export async function runConfigTrust({ file }: { file?: string }, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const found = await target(ctx, fileArgument(file, 'trust'), 'trust');
  // An invalid file is not worth trusting: its problems first.
  const config = parseRcFile(found.data, fileLabel(found.filepath, io.env));
  const risks = risksOf(config).map(describeRisk);
  const digest = contentDigest(found.data);
  const store = trustFile(found.filepath, digest, io.env);
  const result: TrustResult = { file: trustKey(found.filepath), trusted: true, digest, risks, store };
  if (ctx.globals.json) return printJson(io, result, ctx.globals.fields);
  const shown = displayPath(found.filepath, io.env);
  if (risks.length === 0) {
    io.out(`trusted ${shown} (it needed no trust: nothing in it sends a key or a variable elsewhere)\n`);
  } else {
    io.out(`trusted ${shown} as it is now; it may:\n${risks.map((r) => `  ${r}\n`).join('')}`);
    if (!io.quiet) io.err(`if the file changes it must be trusted again; undo with: interflow config untrust ${shown}\n`);
  }
}

export async function runConfigUntrust(options: { file?: string }, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const file = fileArgument(options.file, 'untrust');
  // A named file need not exist any more (nor parse) to be forgotten.
  const filepath = file !== undefined ? path.resolve(process.cwd(), file) : (await target(ctx, undefined, 'untrust')).filepath;
  const wasTrusted = untrustFile(filepath, io.env);
  const result: UntrustResult = { file: trustKey(filepath), trusted: false, wasTrusted };
  if (ctx.globals.json) return printJson(io, result, ctx.globals.fields);
  const shown = displayPath(filepath, io.env);
  io.out(wasTrusted ? `${shown} is no longer trusted\n` : `${shown} was not trusted; nothing changed\n`);
}
