import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line or input we cannot use: the command exits 2 with the message, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node's `util.parseArgs`, strict, with its errors restated as one-line UsageErrors. Flags may
 * come before or after positionals, as `--flag value` or `--flag=value`; a flag where a value
 * should be is a forgotten value, and `--switch=value` is a mistake, not a dropped value.
 */
export function parseCommandLine<O extends Options>(args: string[], options: O): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  for (const arg of args) {
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = options[flag.replace(/^--/, '')];
    if (inline !== undefined && option?.type === 'boolean') throw new UsageError(`${flag} takes no value`);
    if (inline === '' && option?.type === 'string') throw new UsageError(`${flag} needs a value`);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(restate(error as Error & { code?: string }));
  }
}

function restate(error: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${flag}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${flag} needs a value`;
    default:
      return error.message;
  }
}
