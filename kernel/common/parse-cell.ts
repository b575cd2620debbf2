import type * as Oxc from 'oxc-parser';

// Loaded on first use, not at kernel start: the kernel process starts faster without the parser.
let parser: typeof Oxc | undefined;

/** A cell's TypeScript parsed by oxc as a module: its program, comments and errors. */
export function parseCell(code: string): ReturnType<typeof Oxc.parseSync> {
  parser ??= require('oxc-parser') as typeof Oxc;
  return parser.parseSync('cell.ts', code, { lang: 'ts', sourceType: 'module' });
}
