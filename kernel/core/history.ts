import type { HistoryRequest } from '../protocol/messages';

export type HistoryEntry = [session: number, line: number, input: string];
/** With `output: true` the spec pairs each input with its result's text (null when none). */
export type HistoryEntryWithOutput = [session: number, line: number, inOut: [string, string | null]];

/** This kernel session's inputs (messaging spec: history), numbered by execution count. */
export class History {
  private readonly entries: HistoryEntry[] = [];
  private readonly outputs = new Map<number, string>();

  add(line: number, input: string): void {
    this.entries.push([0, line, input]);
  }

  setOutput(line: number, text: string): void {
    this.outputs.set(line, text);
  }

  query(request: HistoryRequest): (HistoryEntry | HistoryEntryWithOutput)[] {
    const found = this.select(request);
    if (request.output !== true) return found;
    return found.map(([session, line, input]) => [session, line, [input, this.outputs.get(line) ?? null]]);
  }

  private select(request: HistoryRequest): HistoryEntry[] {
    switch (request.hist_access_type) {
      case 'tail':
        return this.tail(this.entries, request.n);
      case 'range':
        return this.entries.filter(([, line]) => line >= (request.start ?? 0) && (request.stop === undefined || request.stop === null || line < request.stop));
      case 'search': {
        const pattern = globToRegExp(typeof request.pattern === 'string' ? request.pattern : '*');
        let found = this.entries.filter(([, , input]) => pattern.test(input));
        if (request.unique) {
          const seen = new Set<string>();
          found = found.reverse().filter(([, , input]) => !seen.has(input) && (seen.add(input), true)).reverse();
        }
        return this.tail(found, request.n);
      }
      default:
        return [];
    }
  }

  private tail(entries: HistoryEntry[], n: number | undefined): HistoryEntry[] {
    return typeof n === 'number' && n >= 0 ? entries.slice(Math.max(0, entries.length - n)) : [...entries];
  }
}

/** IPython's history search takes glob patterns (`*` and `?`), matched against the whole input. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
