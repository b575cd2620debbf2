import { CompletionItemKind, SymbolFlags, type CompletionEntry, type Project, type Symbol as TsSymbol } from './tsc-client';
import { namesInScope } from './scope-names';

const TYPES_PROBE = ';let __tempo_type__: globalThis.';
const VALUES_PROBE = ';globalThis.';
/**
 * After the cell for completions: the members of globalThis where a type is expected (global
 * types such as `Record`, and namespaces), then where a value is: the globals a bare name may be
 * completed to.
 */
export const GLOBALS_PROBE = TYPES_PROBE + VALUES_PROBE;
/**
 * Text before a name that may be a type's: after `:` (also an object literal's value, so values
 * stay offered too), `<`, `|`, `&`, `extends`, `implements`, `as`, `satisfies`, `keyof`, `is`,
 * `infer`, or `type X =`. Read from the text: a cell being typed rarely parses.
 */
const MAY_BE_TYPE = /(?:[:<|&]|\b(?:extends|implements|as|satisfies|keyof|is|infer)|\btype\s+[\p{ID_Start}$_][\p{ID_Continue}$]*(?:\s*<[^>]*>)?\s*=)\s*$/u;
/** What a bare name may also be completed to, as TypeScript offers them in statements and expressions. */
const KEYWORDS = ['abstract', 'as', 'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'declare', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'keyof', 'let', 'namespace', 'new', 'null', 'return', 'satisfies', 'super', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined', 'using', 'var', 'void', 'while', 'yield'];

export interface Candidate {
  name: string;
  /** Sorts candidates that match equally well. */
  order: string;
  /** Known without the symbol (from tsc's completion kind); else taken from the symbol. */
  type?: string;
  symbol: () => Promise<TsSymbol | undefined>;
}

/** What tsc offers at `position` (members after a dot, named imports, …); undefined for a bare name, which it refuses. */
export async function memberCandidates(project: Project, file: string, position: number): Promise<Candidate[] | undefined> {
  const info = await completionsAt(project, file, position);
  // Inside a comment or a string tsc offers nothing.
  return info?.entries.map((entry) => ({ name: entry.insertText ?? entry.name, order: entry.sortText ?? '', type: completionType(entry.kind), symbol: async () => entry.symbol }));
}

/**
 * A bare name: TypeScript 7's API would need auto-imports for it, so the list is made here, in
 * the order TypeScript gives it: the cell's own names in scope (`source` is the cell as written),
 * the earlier cells' names, the globals (members of globalThis at the probes, which the cell file
 * must end with: see GLOBALS_PROBE; global types first where a type may be expected), then
 * keywords. `wordStart` is where the name being completed begins.
 */
export async function identifierCandidates(project: Project, file: string, position: number, wordStart: number, source: string, earlierNames: string[], probeEnd: number): Promise<Candidate[]> {
  const { checker } = project;
  const at = { document: file, position };
  const symbol = (name: string) => () => checker.resolveName(name, SymbolFlags.Value | SymbolFlags.Type | SymbolFlags.Namespace, at);
  const local = namesInScope(source, position).map((name) => ({ name, order: '0', symbol: symbol(name) }));
  const earlier = earlierNames.map((name) => ({ name, order: '1', symbol: symbol(name) }));
  const globalsAt = async (probe: number, order: string, kindOf: (entry: CompletionEntry) => string | undefined): Promise<Candidate[]> =>
    ((await completionsAt(project, file, probe, false))?.entries ?? []).map((entry) => ({ name: entry.name, order: `${order}${entry.sortText ?? ''}`, type: kindOf(entry), symbol: symbol(entry.name) }));
  // tsc calls a type alias a class there: the kind comes from the symbol instead.
  const [types, values] = await Promise.all([
    MAY_BE_TYPE.test(source.slice(0, wordStart)) ? globalsAt(probeEnd - VALUES_PROBE.length, '2', () => undefined) : [],
    globalsAt(probeEnd, '2~', (entry) => completionType(entry.kind)),
  ]);
  const keywords = KEYWORDS.map((name) => ({ name, order: '3', type: 'keyword', symbol: async () => undefined }));
  return [...local, ...earlier, ...types, ...values, ...keywords];
}

/**
 * tsc's completions at a position, or undefined where it refuses them: a bare name would need
 * auto-imports, which its API does not do ("completion list needs auto imports").
 */
async function completionsAt(project: Project, file: string, position: number, includeSymbol = true): Promise<{ entries: readonly CompletionEntry[] } | undefined> {
  try {
    return (await project.checker.getCompletionsAtPosition(file, position, { includeSymbol })) ?? { entries: [] };
  } catch (error) {
    if (/needs auto imports/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** The LSP completion kinds tsc gives → the short kinds Jupyter frontends show beside a completion. */
function completionType(kind: CompletionItemKind | undefined): string {
  switch (kind) {
    case CompletionItemKind.Method:
      return 'method';
    case CompletionItemKind.Function:
    case CompletionItemKind.Constructor:
      return 'function';
    case CompletionItemKind.Field:
    case CompletionItemKind.Property:
    case CompletionItemKind.EnumMember:
      return 'property';
    case CompletionItemKind.Class:
      return 'class';
    case CompletionItemKind.Interface:
    case CompletionItemKind.TypeParameter:
    case CompletionItemKind.Struct:
      return 'type';
    case CompletionItemKind.Enum:
      return 'enum';
    case CompletionItemKind.Module:
      return 'module';
    case CompletionItemKind.Keyword:
      return 'keyword';
    default:
      return 'variable';
  }
}
