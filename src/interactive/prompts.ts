/**
 * What every interactive command shares: the rule for when prompting is allowed, the streams
 * prompts use (stdin, drawn on stderr so stdout keeps only results), Ctrl-C as exit 130, and two
 * prompts of our own built on @inquirer/core: a line with a live preview under it, and a block of
 * pasted text.
 */
import { createPrompt, isBackspaceKey, isEnterKey, makeTheme, useKeypress, usePrefix, useState, type Status } from '@inquirer/core';
import { InterruptedError, UsageError } from '../errors.js';
import type { Io } from '../output/io.js';

/**
 * Refuses to prompt off a terminal: stdin, stderr (where prompts are drawn) and, unless the
 * result is meant for a pipe, stdout must be terminals, and CI must not be set. The error names
 * the flags to use instead (exit 2).
 */
export function requireTerminal(io: Io, command: string, instead: string, opts: { stdoutMayBePiped?: boolean } = {}): void {
  const missing = [
    io.stdin.isTTY !== true && 'stdin',
    !opts.stdoutMayBePiped && !io.isStdoutTTY && 'stdout',
    !io.isStderrTTY && 'stderr',
  ].filter(Boolean);
  const names =
    missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are not terminals` : `${missing[0]} is not a terminal`;
  const why = missing.length ? names : io.env.CI ? 'CI is set' : undefined;
  if (why) throw new UsageError(`${command} asks questions, but ${why}: ${instead}`);
}

/** The streams inquirer prompts use. */
export function promptContext(io: Io): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } {
  return { input: io.stdin, output: io.stderr as unknown as NodeJS.WritableStream };
}

/** Runs a prompt; Ctrl-C (inquirer's ExitPromptError/AbortPromptError) becomes exit 130 with `message`. */
export async function asking<T>(prompt: Promise<T>, message = 'cancelled: nothing was sent or written'): Promise<T> {
  try {
    return await prompt;
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new InterruptedError(message);
    throw err;
  }
}

/** A validator: true, or the reason to show under the answer. */
export type Check = (value: string) => true | string;

interface PreviewConfig {
  message: string;
  default?: string;
  validate?: Check;
  /** Lines shown under the prompt, from what is typed so far (redrawn at each key). */
  preview: (value: string) => string;
}

/** A one-line answer with a live preview under it (the template body filled as it is typed). */
export const previewInput = createPrompt<string, PreviewConfig>((config, done) => {
  const theme = makeTheme();
  const [status, setStatus] = useState<Status>('idle');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const prefix = usePrefix({ status, theme });
  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const answer = value || config.default || '';
      const valid = config.validate ? config.validate(answer) : true;
      if (valid === true) {
        setValue(answer);
        setStatus('done');
        done(answer);
      } else {
        rl.write(value);
        setError(valid);
      }
    } else {
      setValue(rl.line);
      setError(undefined);
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(value)}`;
  const defaultText = config.default && !value ? ` ${theme.style.defaultAnswer(config.default)}` : '';
  const bottom = [config.preview(value || config.default || ''), error ? theme.style.error(error) : ''].filter(Boolean).join('\n');
  return [`${prefix} ${message}${defaultText} ${value}`, bottom];
});

interface BlockConfig {
  message: string;
  /** Under the prompt while typing. */
  help?: string;
  validate?: Check;
}

/**
 * A block of text, usually pasted: a template's approved body spans several lines. An Enter that
 * arrives with more keys right behind it is part of a paste and becomes a line break; an Enter on
 * its own ends the answer. An empty answer is allowed (the validator decides).
 */
export const textBlock = createPrompt<string, BlockConfig>((config, done) => {
  const theme = makeTheme();
  const [status, setStatus] = useState<Status>('idle');
  const [lines, setLines] = useState<string[]>([]);
  const [line, setLine] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [timer, setTimer] = useState<NodeJS.Timeout | undefined>();
  const prefix = usePrefix({ status, theme });

  const finish = (all: string[]) => {
    const text = all.join('\n').replace(/\s+$/, '');
    const valid = config.validate ? config.validate(text) : true;
    if (valid === true) {
      setLines(all);
      setStatus('done');
      done(text);
    } else {
      setLines([]);
      setError(valid);
    }
  };

  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (timer) {
      // More keys right behind an Enter: it was a line break inside a paste.
      clearTimeout(timer);
      setTimer(undefined);
    }
    if (isEnterKey(key)) {
      const all = [...lines, line];
      setLines(all);
      setLine('');
      setTimer(setTimeout(() => finish(all), 40));
    } else if (isBackspaceKey(key) && line === '' && rl.line === '' && lines.length > 0) {
      setLine(lines[lines.length - 1]!);
      rl.write(lines[lines.length - 1]!);
      setLines(lines.slice(0, -1));
    } else {
      setLine(rl.line);
      setError(undefined);
    }
  });

  const message = theme.style.message(config.message, status);
  if (status === 'done') {
    const text = lines.join('\n').trim();
    return `${prefix} ${message} ${theme.style.answer(text ? `${text.split('\n')[0]}${text.includes('\n') ? ' …' : ''}` : '(none)')}`;
  }
  const typed = lines.map((l) => `  ${l}`).join('\n');
  const bottom = [config.help ? theme.style.help(config.help) : '', error ? theme.style.error(error) : ''].filter(Boolean).join('\n');
  return [`${prefix} ${message}${typed ? `\n${typed}\n ` : ' '}${line}`, bottom];
});
