import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { API, CompletionItemKind, DiagnosticCategory, SymbolFlags, type Diagnostic, type CompletionEntry, type Project, type Snapshot, type Symbol as TsSymbol } from 'typescript-native/unstable/sync';
import { cellDeclarations, type Declaration, type DeclarationKind } from './cell-declarations';
import { blankMagics, toCodePoints, toUtf16 } from './cell-text';
import { notebookGlobalsDeclarations } from './notebook-globals';
import { QuickInfo } from './quick-info';
import { namesInScope } from './scope-names';
import type { CellDiagnostic, Completion, CompletionItem, Inspection } from './type-checker';

/** tsc's error for assigning to each kind of declaration other than `let` and `var`. */
const ASSIGNMENT_ERRORS: Record<Exclude<DeclarationKind, 'let' | 'var' | 'import' | 'type'>, [number, string]> = {
  const: [2588, 'a constant'],
  function: [2630, 'a function'],
  class: [2629, 'a class'],
  enum: [2628, 'an enum'],
  namespace: [2631, 'a namespace'],
};
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** After the cell for completions: its members are the globals (a bare name's completion lists them). */
const GLOBALS_PROBE = ';globalThis.';
/** What a bare name may also be completed to, as TypeScript offers them in statements and expressions. */
const KEYWORDS = ['abstract', 'as', 'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'declare', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'keyof', 'let', 'namespace', 'new', 'null', 'return', 'satisfies', 'super', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined', 'using', 'var', 'void', 'while', 'yield'];

interface Candidate {
  name: string;
  /** Sorts candidates that match equally well. */
  order: string;
  /** Known without the symbol (from tsc's completion kind); else taken from the symbol. */
  type?: string;
  symbol: () => TsSymbol | undefined;
}

/** Signatures are looked up for this many matches only: each costs a few round trips to tsc. */
const SIGNATURES_FOR = 40;
/** Module kinds in which top-level await is allowed (TypeScript 7's ModuleKind numbers). */
const TOP_LEVEL_AWAIT_MODULES = new Set([4, 7, 99, 100, 101, 102, 199, 200]);
const ES2017 = 4;

/**
 * TypeScript 7's native checker (a `tsc --api` child process, driven synchronously, so this runs
 * in a worker thread) over a fixed set of three files in memory. A fixed root set keeps a check at
 * a few milliseconds; a new root file would cost 30–50 ms.
 *
 * - `__tempo_prev__.ts`: every committed cell's top-level declarations, as a module exporting
 *   them; a name declared again by a later cell keeps only its newest declaration.
 * - `__tempo_cell__.ts`: the cell (magic lines blanked) as a module, then, after its last line,
 *   an import of every earlier name it does not declare itself. Its own `const x` is then no
 *   redeclaration of an earlier `x` (TS2451), and top-level await is allowed.
 * - `__tempo_globals__.d.ts`: what the executor defines for every cell (display, input, comms).
 *
 * The compiler options come from a tsconfig made here, which extends the notebook folder's own
 * tsconfig.json when there is one. Positions in and out are code points.
 */
export class NativeChecker {
  private readonly cellFile: string;
  private readonly prevFile: string;
  private readonly configFile: string;
  /** Files served from memory to tsc; anything else it reads from disk. */
  private readonly memory = new Map<string, string>();
  private readonly changed = new Set<string>();
  private readonly api: API;
  private snapshot: Snapshot | undefined;
  private cellSource = '';
  /** One list per committed cell, oldest first. */
  private committed: Declaration[][] = [];
  private prevNames: string[] = [];
  /** What each earlier name is (the newest declaration of it). */
  private prevKinds = new Map<string, DeclarationKind>();
  private readonly nodeModules: NodeModulesStamp;
  /** Notes for the kernel's log (tsconfig problems). */
  readonly notes: string[] = [];

  constructor(cwd: string) {
    this.cellFile = path.join(cwd, '__tempo_cell__.ts');
    this.prevFile = path.join(cwd, '__tempo_prev__.ts');
    this.configFile = path.join(cwd, '__tempo_tsconfig__.json');
    this.nodeModules = new NodeModulesStamp(path.join(cwd, 'node_modules'));
    const globalsFile = path.join(cwd, '__tempo_globals__.d.ts');
    this.memory.set(globalsFile, notebookGlobalsDeclarations());
    this.memory.set(this.prevFile, 'export {};\n');
    this.memory.set(this.cellFile, 'export {};\n');
    const memory = this.memory;
    this.api = new API({
      cwd,
      tsserverPath: tscChild(),
      fs: {
        readFile: (file) => memory.get(file),
        fileExists: (file) => (memory.has(file) ? true : undefined),
      },
    });
    this.memory.set(this.configFile, this.tsconfig(cwd, [globalsFile, this.prevFile, this.cellFile]));
  }

  /** Starts tsc and loads the libraries and @types/node now, so the first real check is a warm one. */
  warm(): void {
    this.check('');
    this.complete('Math.f', 6);
  }

  check(code: string): CellDiagnostic[] {
    if (!this.setCell(code)) return [];
    const source = this.cellSource;
    return this.project()
      .program.getSemanticDiagnostics(this.cellFile)
      .filter((d) => d.category === DiagnosticCategory.Error && d.pos < source.length && !acceptedInNotebooks(d, source))
      .flatMap((d) => this.asDeclared(d))
      .map((d) => {
        const start = d.pos;
        const lineStart = source.lastIndexOf('\n', start - 1) + 1;
        const lineEnd = source.indexOf('\n', start) === -1 ? source.length : source.indexOf('\n', start);
        const end = Math.min(Math.max(d.end, start + 1), lineEnd);
        return {
          code: d.code,
          message: d.message,
          line: source.slice(0, start).split('\n').length,
          column: toCodePoints(source.slice(lineStart), start - lineStart) + 1,
          length: Math.max(1, toCodePoints(source.slice(start), end - start)),
        };
      });
  }

  /**
   * An earlier cell's name reaches the cell through an import, and tsc forbids assigning to an
   * import (TS2632). What the assignment really meets is the name's own declaration: a `let` or
   * `var` takes it, and the rest get the error tsc gives for them in one file.
   */
  private asDeclared(d: Diagnostic): { code: number; message: string; pos: number; end: number }[] {
    const own = { code: d.code, message: flatten(d), pos: d.pos, end: d.end };
    const name = d.code === 2632 ? /^Cannot assign to '(.+)' because it is an import\.$/.exec(d.text)?.[1] : undefined;
    const kind = name === undefined ? undefined : this.prevKinds.get(name);
    if (kind === undefined || kind === 'import' || kind === 'type') return [own];
    if (kind === 'let' || kind === 'var') return [];
    const [code, what] = ASSIGNMENT_ERRORS[kind];
    return [{ ...own, code, message: `Cannot assign to '${name}' because it is ${what}.` }];
  }

  complete(code: string, cursorPos: number): Completion {
    // A cell that does not parse yet (the usual state while typing) is completed as it stands.
    // The probe after it lists the globals, for completing a bare name (see identifierCandidates).
    this.setCell(code, true, GLOBALS_PROBE);
    const source = this.cellSource;
    const position = toUtf16(source, Math.max(0, cursorPos));
    const cursor = toCodePoints(source, position);
    let wordStart = position;
    while (wordStart > 0 && /[\p{ID_Continue}$\u200c\u200d]/u.test(source[wordStart - 1])) wordStart--;
    const project = this.project();
    const quickInfo = this.quickInfo(project);
    const candidates = this.memberCandidates(project, position) ?? this.identifierCandidates(project, position);
    const prefix = source.slice(wordStart, position);
    const lower = prefix.toLowerCase();
    const rank = (candidate: Candidate): number => (candidate.name.startsWith(prefix) ? 0 : 1);
    const matching = candidates
      .filter((candidate) => candidate.name.toLowerCase().startsWith(lower) && !candidate.name.startsWith('__tempo'))
      .sort((a, b) => rank(a) - rank(b) || a.order.localeCompare(b.order) || a.name.localeCompare(b.name));
    const start = toCodePoints(source, wordStart);
    const seen = new Set<string>();
    const items: CompletionItem[] = [];
    for (const candidate of matching) {
      if (seen.has(candidate.name)) continue;
      seen.add(candidate.name);
      // Each symbol costs a few round trips to tsc: only the first matches get a signature.
      const found = items.length < SIGNATURES_FOR ? candidate.symbol() : undefined;
      const symbol = found && quickInfo.resolve(found);
      const type = candidate.type ?? (symbol ? quickInfo.kind(symbol) : 'variable');
      items.push({ start, end: cursor, text: candidate.name, type, signature: symbol ? quickInfo.describe(symbol) : '' });
    }
    return { matches: items.map((item) => item.text), cursorStart: start, cursorEnd: cursor, metadata: { _jupyter_types_experimental: items } };
  }

  /** What tsc offers at `position` (members after a dot, named imports, …); undefined for a bare name, which it refuses. */
  private memberCandidates(project: Project, position: number): Candidate[] | undefined {
    const info = completionsAt(project, this.cellFile, position);
    // Inside a comment or a string tsc offers nothing.
    return info?.entries.map((entry) => ({ name: entry.insertText ?? entry.name, order: entry.sortText ?? '', type: completionType(entry.kind), symbol: () => entry.symbol }));
  }

  /**
   * A bare name: TypeScript 7's API would need auto-imports for it, so the list is made here, in
   * the order TypeScript gives it: the cell's own names in scope, the earlier cells' names, the
   * globals (the probe's members of globalThis), then keywords. Global types (`Record`) are
   * not among them: globalThis has values only.
   */
  private identifierCandidates(project: Project, position: number): Candidate[] {
    const { checker } = project;
    const probe = this.memory.get(this.cellFile)?.length ?? 0;
    const at = { document: this.cellFile, position };
    const symbol = (name: string) => () => checker.resolveName(name, SymbolFlags.Value | SymbolFlags.Type | SymbolFlags.Namespace, at);
    const local = namesInScope(this.cellSource, position).map((name) => ({ name, order: '0', symbol: symbol(name) }));
    const earlier = this.prevNames.map((name) => ({ name, order: '1', symbol: symbol(name) }));
    const globals = (completionsAt(project, this.cellFile, probe, false)?.entries ?? []).map((entry) => ({ name: entry.name, order: `2${entry.sortText ?? ''}`, type: completionType(entry.kind), symbol: symbol(entry.name) }));
    const keywords = KEYWORDS.map((name) => ({ name, order: '3', type: 'keyword', symbol: () => undefined }));
    return [...local, ...earlier, ...globals, ...keywords];
  }

  inspect(code: string, cursorPos: number): Inspection {
    this.setCell(code, true);
    const source = this.cellSource;
    const position = toUtf16(source, cursorPos);
    // Shift-Tab comes with the cursor after the name, or inside `name(` : look back to the name.
    let back = position;
    while (back > 0 && /[\s(]/.test(source[back - 1])) back--;
    const project = this.project();
    const candidates = [position, position - 1, back - 1].filter((p) => p >= 0 && p < source.length);
    // Not the cell's own module (whitespace resolves to it).
    const found = candidates.map((p) => project.checker.getSymbolAtPosition(this.cellFile, p)).find((symbol) => symbol !== undefined && !symbol.name.startsWith('"'));
    if (!found) return { found: false, data: {} };
    const quickInfo = this.quickInfo(project);
    const symbol = quickInfo.resolve(found);
    const signature = quickInfo.describe(symbol);
    const { text: doc, tags } = quickInfo.documentation(symbol);
    const plainTags = tags.map((tag) => [`@${tag.name}`, tag.parameter, tag.text].filter(Boolean).join(' '));
    const markdownTags = tags.map((tag) => `*@${tag.name}*${tag.parameter ? ` \`${tag.parameter}\`` : ''}${tag.text ? ` — ${tag.text}` : ''}`);
    const plain = [signature, doc, plainTags.join('\n')].filter(Boolean).join('\n\n');
    const markdown = ['```typescript\n' + signature + '\n```', doc, markdownTags.join('  \n')].filter(Boolean).join('\n\n');
    return { found: true, data: { 'text/plain': plain, 'text/markdown': markdown } };
  }

  /**
   * The cell ran: its declarations join the earlier cells'. Returns whether that changed what
   * later cells are checked against.
   */
  commit(code: string): boolean {
    const declarations = cellDeclarations(blankMagics(code))?.declarations ?? [];
    if (declarations.length === 0) return false;
    this.committed.push(declarations);
    return this.rebuildPrev();
  }

  reset(): void {
    this.committed = [];
    this.rebuildPrev();
  }

  /** Ends tsc (tests, and a worker whose tsc failed; otherwise it ends with the kernel). */
  close(): void {
    this.api.close();
  }

  /** Puts the cell in place; false when it does not parse (unless `anyway`): a syntax error is the executor's to report. */
  private setCell(code: string, anyway = false, probe = ''): boolean {
    // A lone surrogate (which a protocol message may carry) makes tsc panic: U+FFFD keeps every offset.
    const source = blankMagics(code.replace(LONE_SURROGATE, '\ufffd'));
    const declared = cellDeclarations(source);
    if (!declared && !anyway) return false;
    this.cellSource = source;
    const own = declared?.names ?? new Set<string>();
    const imported = this.prevNames.filter((name) => !own.has(name));
    // After the cell's last line, so that every line and column of the cell stays where it is.
    const trailer = imported.length > 0 ? `import { ${imported.join(', ')} } from "./__tempo_prev__";\n` : '';
    const text = `${source}\n;export {};\n${trailer}`;
    this.update(this.cellFile, text + probe);
    return true;
  }

  /** Whether the earlier cells' declarations changed. */
  private rebuildPrev(): boolean {
    const seen = new Set<string>();
    const kept: Declaration[][] = [];
    for (let index = this.committed.length - 1; index >= 0; index--) {
      const cell = this.committed[index].filter((d) => d.names.length === 0 || d.names.some((name) => !seen.has(name)));
      for (const declaration of cell) for (const name of declaration.names) seen.add(name);
      kept.unshift(cell);
    }
    const all = kept.flat();
    this.prevKinds = new Map(all.flatMap((d) => d.names.map((name) => [name, d.kind] as const)));
    this.prevNames = [...this.prevKinds.keys()];
    const text = `${all.map((d) => d.text).join('\n')}\nexport { ${this.prevNames.join(', ')} };\n`;
    return this.update(this.prevFile, text);
  }

  private update(file: string, text: string): boolean {
    if (this.memory.get(file) === text) return false;
    this.memory.set(file, text);
    this.changed.add(file);
    return true;
  }

  /** The project with every change made so far; a package installed next to the notebook since is seen too. */
  private project(): Project {
    if (!this.snapshot) {
      this.changed.clear();
      this.snapshot = this.api.updateSnapshot({ openProjects: [this.configFile] });
      this.noteConfigProblems();
    } else if (this.nodeModules.changed()) {
      this.changed.clear();
      this.replaceSnapshot({ invalidateAll: true });
    }
    // One file per snapshot: tsc updates a program for one changed file in 2–4 ms, but rebuilds
    // it for two (30–40 ms, measured with the previous cells' file and the cell both changed).
    for (const file of this.changed) this.replaceSnapshot({ changed: [file] });
    this.changed.clear();
    return this.snapshot.getProject(this.configFile) as Project;
  }

  private replaceSnapshot(fileChanges: { invalidateAll: true } | { changed: string[] }): void {
    const previous = this.snapshot;
    this.snapshot = this.api.updateSnapshot({ fileChanges });
    previous?.dispose();
  }

  private quickInfo(project: Project): QuickInfo {
    return new QuickInfo(project.checker, project.emitter, new Set([this.cellFile, this.prevFile]));
  }

  /**
   * Tempo's defaults, then the notebook folder's tsconfig.json over them, then what the model
   * needs whatever that says: these three files only, no output, and a module kind and target
   * where top-level await is allowed.
   */
  private tsconfig(cwd: string, files: string[]): string {
    const typesDir = path.dirname(path.dirname(require.resolve('@types/node/package.json')));
    const defaultsFile = path.join(cwd, '__tempo_defaults__.json');
    this.memory.set(
      defaultsFile,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'es2022',
          // Node 20 has every ES2023 library method (findLast, toSorted); no DOM: cells run in Node.
          lib: ['es2023'],
          module: 'esnext',
          moduleResolution: 'bundler',
          resolveJsonModule: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [typesDir, path.join(cwd, 'node_modules', '@types')],
        },
      }),
    );
    const userConfig = path.join(cwd, 'tsconfig.json');
    const forced: Record<string, unknown> = { noEmit: true, declaration: false, composite: false, incremental: false, noUnusedLocals: false, isolatedDeclarations: false };
    const bases = [defaultsFile];
    if (existsSync(userConfig)) {
      bases.push(userConfig);
      try {
        const options = this.api.parseConfigFile(userConfig).options;
        if (options.module !== undefined && !TOP_LEVEL_AWAIT_MODULES.has(options.module as number)) Object.assign(forced, { module: 'esnext', moduleResolution: 'bundler' });
        if (options.target !== undefined && (options.target as number) < ES2017) forced.target = 'es2022';
      } catch (error) {
        this.notes.push(`tsconfig.json ignored: ${(error as Error).message.split('\n')[0]}`);
        bases.pop();
      }
    }
    return JSON.stringify({ extends: bases, compilerOptions: forced, files });
  }

  private noteConfigProblems(): void {
    const program = this.snapshot?.getProject(this.configFile)?.program;
    for (const d of program?.getConfigFileParsingDiagnostics() ?? []) {
      if (d.code !== 18003) this.notes.push(`tsconfig.json: ${flatten(d)}`);
    }
  }
}

/**
 * tsc's completions at a position, or undefined where it refuses them: a bare name would need
 * auto-imports, which its API does not do ("completion list needs auto imports").
 */
function completionsAt(project: Project, file: string, position: number, includeSymbol = true): { entries: readonly CompletionEntry[] } | undefined {
  try {
    return project.checker.getCompletionsAtPosition(file, position, { includeSymbol }) ?? { entries: [] };
  } catch (error) {
    if (/needs auto imports/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** tsc-child.sh, told where the real tsc is (the executable of TypeScript's package for this platform). */
function tscChild(): string {
  const fromTypeScript = createRequire(require.resolve('typescript-native/package.json'));
  const platformPackage = fromTypeScript.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
  // This worker thread's own copy of the environment: tsc-child.sh inherits it.
  process.env.TEMPO_TSC = path.join(path.dirname(platformPackage), 'lib', 'tsc');
  return path.resolve(__dirname, '..', '..', '..', 'kernel', 'engine', 'typecheck', 'tsc-child.sh');
}

/** Whether the notebook's node_modules changed since last asked (a package installed mid-session). */
class NodeModulesStamp {
  private stamp: number | undefined;

  constructor(private readonly folder: string) {
    this.stamp = this.modified();
  }

  changed(): boolean {
    const stamp = this.modified();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    return true;
  }

  private modified(): number | undefined {
    try {
      return statSync(this.folder).mtimeMs;
    } catch {
      return undefined;
    }
  }
}

/** The message and its chain of reasons, indented as tsc prints them. */
function flatten(d: Diagnostic, depth = 0): string {
  const own = `${'  '.repeat(depth)}${d.text}`;
  return [own, ...(d.messageChain ?? []).map((next) => flatten(next, depth + 1))].join('\n');
}

/**
 * Where we knowingly differ from tsc: three errors that reject valid JavaScript that notebooks
 * use all the time. `typeof name` of a name never declared (is it defined yet?), a package
 * without types (it is `any`, as under noImplicitAny: false), and `globalThis.x` as a scratch
 * slot shared between cells.
 */
function acceptedInNotebooks(d: Diagnostic, source: string): boolean {
  if (d.code === 7016) return true;
  if (d.code === 7017 && d.text.includes("'typeof globalThis'")) return true;
  if (d.code === 2304 || d.code === 2552) return /\btypeof\s*$/.test(source.slice(0, d.pos));
  return false;
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
      return 'property';
    case CompletionItemKind.Class:
      return 'class';
    case CompletionItemKind.Interface:
    case CompletionItemKind.TypeParameter:
    case CompletionItemKind.Struct:
      return 'type';
    case CompletionItemKind.Enum:
      return 'enum';
    case CompletionItemKind.EnumMember:
      return 'property';
    case CompletionItemKind.Module:
      return 'module';
    case CompletionItemKind.Keyword:
      return 'keyword';
    default:
      return 'variable';
  }
}
