import { transformSync } from 'oxc-transform';
import { parseSync } from 'oxc-parser';

/** Where in the cell's TypeScript a compile error is (1-based line, 0-based column). */
export interface SourcePosition {
  line: number;
  column: number;
}

export class CellSyntaxError extends Error {
  override readonly name = 'SyntaxError';
  constructor(message: string, readonly position: SourcePosition) {
    super(message);
  }
}

export interface TranspiledCell {
  /** JavaScript for V8's REPL mode: no static import/export, imports become awaited calls. */
  code: string;
  /** Source map from `code` back to the cell's TypeScript (lines of `code` are never moved by the rewrite). */
  map: unknown;
}

/** The runtime helper the rewritten imports call; the executor defines it on globalThis. */
export const IMPORT_HELPER = '__tempo_import';

/**
 * TypeScript → JavaScript that V8's REPL mode accepts. oxc strips the types (type-only imports
 * included; other imports are kept, as verbatimModuleSyntax does, so `import "x"` still runs);
 * then static imports and exports are rewritten in place, padded so no line moves and the
 * source map stays exact for every line.
 */
export function transpileCell(source: string, filename: string): TranspiledCell {
  const result = transformSync(filename, source, {
    // Cell names such as `In[3]` have no extension to infer the language from.
    lang: 'ts',
    // A cell is a module body: top-level await and `for await` are allowed even without imports.
    sourceType: 'module',
    sourcemap: true,
    target: 'es2022',
    typescript: { onlyRemoveTypeImports: true },
  });
  const firstError = result.errors.find((error) => error.severity === 'Error');
  if (firstError) throw syntaxError(source, firstError.message, firstError.labels[0]?.start ?? source.length);
  // Only `import` and `export` need rewriting: most cells have neither, and skip the second parse.
  const code = /\b(?:import|export)\b/.test(result.code) ? rewriteModuleSyntax(result.code, filename) : result.code;
  return { code, map: result.map };
}

function syntaxError(source: string, message: string, offset: number): CellSyntaxError {
  const before = source.slice(0, offset).split('\n');
  // Code points, as the caret under the line is drawn in characters (an emoji is one).
  return new CellSyntaxError(message, { line: before.length, column: [...before[before.length - 1]].length });
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function rewriteModuleSyntax(code: string, filename: string): string {
  const parsed = parseSync(filename, code, { sourceType: 'module', lang: 'js' });
  const { staticImports, dynamicImports } = parsed.module;
  const edits: Edit[] = [];
  for (const entry of staticImports) {
    edits.push({ start: entry.start, end: entry.end, text: importAsAwait(entry) });
  }
  for (const statement of parsed.program.body) {
    const edit = exportEdit(statement as ExportStatement);
    if (edit) edits.push(edit);
  }
  for (const entry of dynamicImports) {
    // `import(` is a keyword form, not a call: scripts run through the inspector have no module loader of their own.
    edits.push({ start: entry.start, end: entry.start + 'import'.length, text: IMPORT_HELPER });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const edit of edits) out = out.slice(0, edit.start) + padLines(edit.text, code.slice(edit.start, edit.end)) + out.slice(edit.end);
  return out;
}

type StaticImport = ReturnType<typeof parseSync>['module']['staticImports'][number];

function importAsAwait(entry: StaticImport): string {
  const call = `await ${IMPORT_HELPER}(${JSON.stringify(entry.moduleRequest.value)})`;
  const namespace = entry.entries.find((e) => e.importName.kind === 'NamespaceObject');
  const named = entry.entries.filter((e) => e.importName.kind !== 'NamespaceObject' && !e.isType);
  const parts: string[] = [];
  if (named.length > 0) {
    const fields = named.map((e) => {
      const imported = e.importName.kind === 'Default' ? 'default' : (e.importName.name ?? e.localName.value);
      return imported === e.localName.value ? imported : `${JSON.stringify(imported)}: ${e.localName.value}`;
    });
    parts.push(`const { ${fields.join(', ')} } = ${namespace ? namespace.localName.value : call};`);
  }
  if (namespace) parts.unshift(`const ${namespace.localName.value} = ${call};`);
  return parts.length > 0 ? parts.join(' ') : `${call};`;
}

interface ExportStatement {
  type: string;
  start: number;
  end: number;
  declaration?: { type: string; start: number; id?: unknown } | null;
  source?: { value: string } | null;
}

/**
 * `export` only shares names between modules; in a notebook every top-level name is shared
 * anyway, so the keyword goes and the declaration stays. Re-exports still load their module.
 */
function exportEdit(statement: ExportStatement): Edit | undefined {
  const { type, start, end, declaration, source } = statement;
  if (type === 'ExportAllDeclaration' || (type === 'ExportNamedDeclaration' && !declaration)) {
    // Includes the `export {};` oxc leaves where type-only imports and exports were erased.
    return { start, end, text: source ? `await ${IMPORT_HELPER}(${JSON.stringify(source.value)});` : '' };
  }
  if (!declaration) return undefined;
  // An anonymous `export default function () {}` is no declaration without its keywords: keep it an expression.
  const anonymous = /^(Function|Class)Declaration$/.test(declaration.type) && !declaration.id;
  return { start, end: declaration.start, text: anonymous ? 'void ' : '' };
}

/** Keeps the replaced text's line count, so every later line keeps its number. */
function padLines(text: string, replaced: string): string {
  const lines = replaced.split('\n').length - 1;
  return text + '\n'.repeat(lines);
}
