import { parseCell } from '../common/parse-cell';

export type Completeness = { status: 'complete' } | { status: 'invalid' } | { status: 'incomplete'; indent: string };

/**
 * messaging spec: is_complete. Code is incomplete when the parser runs out of input (an open
 * brace, an unfinished expression, a template literal or comment left open), invalid when it
 * fails anywhere before the end.
 */
export function checkComplete(code: string): Completeness {
  const { errors } = parseCell(code);
  const relevant = errors.filter((error) => !/'return' statement/.test(error.message));
  if (relevant.length === 0) return { status: 'complete' };
  const end = code.trimEnd().length;
  const atEnd = relevant.some((error) => {
    const start = error.labels[0]?.start ?? end;
    // A template literal or comment may span lines, and so may a string whose line ends in `\`.
    if (/^Unterminated/.test(error.message)) return code[start] === '`' || code.startsWith('/*', start) || /\\\r?\n?$/.test(code);
    return start >= end;
  });
  return atEnd ? { status: 'incomplete', indent: nextIndent(code) } : { status: 'invalid' };
}

function nextIndent(code: string): string {
  const lastLine = (code.trimEnd().split('\n').pop() ?? '').replace(/\/\/.*$/, '').trimEnd();
  const current = /^\s*/.exec(lastLine)?.[0] ?? '';
  return /[{([]\s*$/.test(lastLine) ? current + '  ' : current;
}
