import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { CachedFiles } from './cached-files';
import { blankMagics, toCodePoints, toUtf16 } from './cell-text';
import { notebookGlobalsDeclarations } from './notebook-globals';
import type { CellDiagnostic, Completion, CompletionItem, Inspection } from './type-checker';

/** Signatures are looked up for this many matches only: each costs a details query. */
const SIGNATURES_FOR = 40;

interface Declaration {
  /** Names the statement declares; a later cell declaring all of them replaces it. */
  names: string[];
  /** Text inside `declare global { … }` of the previous-cells file. */
  text: string;
  /** Module-level lines it needs (the imports its aliases point to). */
  imports: string[];
}

/**
 * TypeScript 6's LanguageService over a fixed pair of root files (the root set never changes,
 * which keeps a check at a few milliseconds; a new root file costs 30–60 ms):
 *
 * - `__tempo_prev__.d.ts`: the declaration emit of every committed cell, as globals inside
 *   `declare global {}`; a name declared again by a later cell keeps only its newest declaration.
 *   Imports become aliases (`export import fs = __tempo_i3`) so earlier cells' imports are names.
 * - `__tempo_cell__.ts`: the cell (magic lines blanked) as a module, plus `export {…}` of its
 *   top-level names so the declaration emit keeps them. Its own `const x` shadows a global `x`,
 *   so rerunning a cell with another type is no redeclaration error (TS2451).
 *
 * Synchronous, for a worker thread; positions in and out are code points.
 */
export class LanguageServiceChecker {
  private readonly cellFile: string;
  private readonly prevFile: string;
  /** display, input, comms and the `tempo` module: what the executor defines for every cell. */
  private readonly globalsFile: string;
  private readonly options: ts.CompilerOptions;
  private service: ts.LanguageService;
  private readonly newService: () => ts.LanguageService;
  private cellText = 'export {};\n';
  private cellSource = '';
  private cellVersion = 0;
  private prevText = 'export {};\n';
  private prevVersion = 0;
  /** One list of declarations per committed cell, oldest first. */
  private committed: Declaration[][] = [];
  private importCount = 0;
  /** Notes for the kernel's log (tsconfig problems). */
  readonly notes: string[] = [];
  private readonly disk: CachedFiles;

  constructor(private readonly cwd: string) {
    this.disk = new CachedFiles(cwd);
    this.cellFile = path.join(cwd, '__tempo_cell__.ts');
    this.prevFile = path.join(cwd, '__tempo_prev__.d.ts');
    this.options = this.compilerOptions();
    this.globalsFile = path.join(cwd, '__tempo_globals__.d.ts');
    const globals = notebookGlobalsDeclarations();
    const files = new Map<string, () => [string, number]>([
      [this.cellFile, () => [this.cellText, this.cellVersion]],
      [this.prevFile, () => [this.prevText, this.prevVersion]],
      [this.globalsFile, () => [globals, 1]],
    ]);
    const disk = this.disk;
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [this.globalsFile, this.prevFile, this.cellFile],
      getScriptVersion: (file) => String(files.get(file)?.()[1] ?? 0),
      getScriptSnapshot: (file) => {
        const own = files.get(file);
        return own ? ts.ScriptSnapshot.fromString(own()[0]) : disk.snapshot(file);
      },
      getCurrentDirectory: () => cwd,
      getCompilationSettings: () => this.options,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (file) => files.has(file) || disk.fileExists(file),
      readFile: (file) => (files.has(file) ? files.get(file)?.()[0] : disk.readFile(file)),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (directory) => disk.directoryExists(directory),
      getDirectories: ts.sys.getDirectories,
      realpath: (file) => disk.realpath(file),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
    const registry = ts.createDocumentRegistry();
    // A new service re-resolves every import (one that failed before may now be installed) and
    // still shares the parsed files in the registry.
    this.newService = () => ts.createLanguageService(host, registry);
    this.service = this.newService();
  }

  /** Loads the libraries and @types/node now, so the first real check is a warm one. */
  warm(): void {
    this.check('');
    this.complete('Math.f', 6);
  }

  check(code: string): CellDiagnostic[] {
    this.setCell(code);
    // A syntax error is the executor's to report (its SyntaxError names the cell's line too).
    if (this.service.getSyntacticDiagnostics(this.cellFile).length > 0) return [];
    const source = this.cellSource;
    return this.service
      .getSemanticDiagnostics(this.cellFile)
      .filter((d) => d.category === ts.DiagnosticCategory.Error && (d.start === undefined || d.start < source.length) && !acceptedInNotebooks(d, this.sourceFile()))
      .map((d) => {
        const start = d.start ?? 0;
        const lineStart = source.lastIndexOf('\n', start - 1) + 1;
        const lineEnd = source.indexOf('\n', start) === -1 ? source.length : source.indexOf('\n', start);
        const end = Math.min(start + (d.length ?? 1), lineEnd);
        return {
          code: d.code,
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
          line: source.slice(0, start).split('\n').length,
          column: toCodePoints(source.slice(lineStart), start - lineStart) + 1,
          length: Math.max(1, toCodePoints(source.slice(start), end - start)),
        };
      });
  }

  complete(code: string, cursorPos: number): Completion {
    this.setCell(code);
    const source = this.cellSource;
    const position = toUtf16(source, cursorPos);
    let wordStart = position;
    while (wordStart > 0 && /[\p{ID_Continue}$\u200c\u200d]/u.test(source[wordStart - 1])) wordStart--;
    const empty: Completion = { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, metadata: { _jupyter_types_experimental: [] } };
    // Inside a comment or a plain string there is nothing to complete (TypeScript would offer every global).
    if (isInCommentOrString(this.sourceFile(), position)) return empty;
    const info = this.service.getCompletionsAtPosition(this.cellFile, position, { includeCompletionsWithInsertText: true, includeCompletionsForImportStatements: true });
    if (!info) return empty;
    const spanStart = Math.min(info.optionalReplacementSpan?.start ?? wordStart, position);
    const spanEnd = Math.max(info.optionalReplacementSpan ? info.optionalReplacementSpan.start + info.optionalReplacementSpan.length : position, position);
    const prefix = source.slice(spanStart, position);
    const lower = prefix.toLowerCase();
    const rank = (entry: ts.CompletionEntry): number => (entry.name.startsWith(prefix) ? 0 : 1);
    const entries = info.entries
      .filter((entry) => entry.kind !== ts.ScriptElementKind.warning && !entry.replacementSpan && entry.name.toLowerCase().startsWith(lower))
      .sort((a, b) => rank(a) - rank(b) || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    const start = toCodePoints(source, spanStart);
    const end = toCodePoints(source, spanEnd);
    const seen = new Set<string>();
    const items: CompletionItem[] = [];
    for (const entry of entries) {
      const text = entry.insertText ?? entry.name;
      if (seen.has(text)) continue;
      seen.add(text);
      let signature = '';
      if (items.length < SIGNATURES_FOR) {
        const details = this.service.getCompletionEntryDetails(this.cellFile, position, entry.name, undefined, entry.source, undefined, entry.data);
        signature = details ? ts.displayPartsToString(details.displayParts) : '';
      }
      items.push({ start, end, text, type: completionType(entry.kind), signature });
    }
    return { matches: items.map((item) => item.text), cursorStart: start, cursorEnd: end, metadata: { _jupyter_types_experimental: items } };
  }

  inspect(code: string, cursorPos: number): Inspection {
    this.setCell(code);
    const source = this.cellSource;
    const position = toUtf16(source, cursorPos);
    // Shift-Tab comes with the cursor after the name, or inside `name(` : look back to the name.
    let back = position;
    while (back > 0 && /[\s(]/.test(source[back - 1])) back--;
    const candidates = [position, position - 1, back - 1].filter((p) => p >= 0 && p < source.length);
    let info: ts.QuickInfo | undefined;
    for (const candidate of candidates) {
      info = this.service.getQuickInfoAtPosition(this.cellFile, candidate);
      if (info && info.kind !== ts.ScriptElementKind.unknown) break;
    }
    if (!info) return { found: false, data: {} };
    const signature = ts.displayPartsToString(info.displayParts);
    const doc = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((tag) => {
      const parts = tag.text ?? [];
      const parameter = parts[0]?.kind === 'parameterName' ? parts[0].text : undefined;
      return { name: tag.name, parameter, text: ts.displayPartsToString(parameter ? parts.slice(1) : parts).trim() };
    });
    const plainTags = tags.map((tag) => [`@${tag.name}`, tag.parameter, tag.text].filter(Boolean).join(' '));
    const markdownTags = tags.map((tag) => `*@${tag.name}*${tag.parameter ? ` \`${tag.parameter}\`` : ''}${tag.text ? ` — ${tag.text}` : ''}`);
    const plain = [signature, doc, plainTags.join('\n')].filter(Boolean).join('\n\n');
    const markdown = ['```typescript\n' + signature + '\n```', doc, markdownTags.join('  \n')].filter(Boolean).join('\n\n');
    return { found: true, data: { 'text/plain': plain, 'text/markdown': markdown } };
  }

  /**
   * The cell ran: its declarations (from TypeScript's declaration emit) and imports join the
   * previous cells. Returns whether that changed what later cells are checked against.
   */
  commit(code: string): boolean {
    this.setCell(code);
    const declarations = [...this.importAliases(), ...this.emittedDeclarations()];
    if (declarations.length === 0) return false;
    this.committed.push(declarations);
    return this.rebuildPrev();
  }

  reset(): void {
    this.committed = [];
    this.rebuildPrev();
  }

  private setCell(code: string): void {
    if (this.disk.refresh()) this.service = this.newService();
    const source = blankMagics(code);
    if (source === this.cellSource && this.cellVersion > 0) return;
    this.cellSource = source;
    const exported = topLevelNames(ts.createSourceFile(this.cellFile, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
    this.cellText = `${source}\nexport { ${exported.join(', ')} };\n`;
    this.cellVersion += 1;
  }

  private sourceFile(): ts.SourceFile {
    return this.service.getProgram()?.getSourceFile(this.cellFile) as ts.SourceFile;
  }

  private importAliases(): Declaration[] {
    const out: Declaration[] = [];
    for (const statement of this.sourceFile().statements) {
      if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && ts.isStringLiteral(statement.moduleReference.expression)) {
        const hidden = `__tempo_i${++this.importCount}`;
        out.push({ names: [statement.name.text], text: `export import ${statement.name.text} = ${hidden};`, imports: [`import ${hidden} = require(${JSON.stringify(statement.moduleReference.expression.text)});`] });
      }
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const from = JSON.stringify(statement.moduleSpecifier.text);
      const clause = statement.importClause;
      if (!clause) {
        // `import "m"` may add global types (a side-effect import): keep it.
        out.push({ names: [], text: '', imports: [`import ${from};`] });
        continue;
      }
      if (clause.name) {
        const hidden = `__tempo_i${++this.importCount}`;
        out.push({ names: [clause.name.text], text: `export import ${clause.name.text} = ${hidden};`, imports: [`import ${hidden} from ${from};`] });
      }
      const bindings = clause.namedBindings;
      if (!bindings) continue;
      const hidden = `__tempo_i${++this.importCount}`;
      const namespace = `import * as ${hidden} from ${from};`;
      if (ts.isNamespaceImport(bindings)) {
        out.push({ names: [bindings.name.text], text: `export import ${bindings.name.text} = ${hidden};`, imports: [namespace] });
        continue;
      }
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        // An alias of a member of the namespace carries its value, type and namespace meanings alike.
        out.push({ names: [element.name.text], text: `export import ${element.name.text} = ${hidden}.${imported};`, imports: [namespace] });
      }
    }
    return out;
  }

  private emittedDeclarations(): Declaration[] {
    const output = this.service.getEmitOutput(this.cellFile, true, true).outputFiles.find((file) => file.name.endsWith('.d.ts'));
    if (!output) return [];
    const dts = ts.createSourceFile('cell.d.ts', output.text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const out: Declaration[] = [];
    for (const statement of dts.statements) {
      if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) continue;
      const names = declaredNames(statement);
      const leading = output.text.slice(statement.getFullStart(), statement.getStart(dts));
      // Inside `declare global` every statement is ambient already: no `export`, no `declare`.
      const body = statement.getText(dts).replace(/^(export\s+)?(default\s+)?(declare\s+)?/, '');
      out.push({ names, text: leading + body, imports: [] });
    }
    return out;
  }

  /** Whether the previous cells' declarations changed. */
  private rebuildPrev(): boolean {
    const seen = new Set<string>();
    const kept: Declaration[][] = [];
    for (let index = this.committed.length - 1; index >= 0; index--) {
      const cell = this.committed[index].filter((d) => d.names.length === 0 || d.names.some((name) => !seen.has(name)));
      for (const declaration of cell) for (const name of declaration.names) seen.add(name);
      kept.unshift(cell);
    }
    const all = kept.flat();
    const imports = [...new Set(all.flatMap((d) => d.imports))];
    const text = `${imports.join('\n')}\ndeclare global {\n${all.map((d) => d.text).join('\n')}\n}\nexport {};\n`;
    // A rerun cell that declares what it declared before changes nothing: keep the program as it is.
    if (text === this.prevText) return false;
    this.prevText = text;
    this.prevVersion += 1;
    return true;
  }

  private compilerOptions(): ts.CompilerOptions {
    const typesDir = path.dirname(path.dirname(require.resolve('@types/node/package.json')));
    let options: ts.CompilerOptions = {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      // Node 20 has every ES2023 library method (findLast, toSorted); no DOM: cells run in Node.
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [typesDir],
    };
    const configFile = path.join(this.cwd, 'tsconfig.json');
    if (existsSync(configFile)) {
      const read = ts.readConfigFile(configFile, ts.sys.readFile);
      if (read.error) this.notes.push(`tsconfig.json ignored: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
      else {
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, this.cwd, undefined, configFile);
        for (const error of parsed.errors) if (error.code !== 18003) this.notes.push(`tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
        options = { ...options, ...parsed.options };
        if (parsed.options.types && !parsed.options.typeRoots) options.typeRoots = [typesDir, path.join(this.cwd, 'node_modules', '@types')];
      }
    }
    // What the two-file model needs whatever tsconfig says: declarations to carry cells forward,
    // and a module kind and target where top-level await is allowed.
    const topLevelAwait = [ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.System, ts.ModuleKind.Node16, ts.ModuleKind.NodeNext, ts.ModuleKind.Preserve];
    if (!topLevelAwait.includes(options.module ?? ts.ModuleKind.None)) {
      options.module = ts.ModuleKind.ESNext;
      options.moduleResolution = ts.ModuleResolutionKind.Bundler;
    }
    if ((options.target ?? ts.ScriptTarget.ES5) < ts.ScriptTarget.ES2017) options.target = ts.ScriptTarget.ES2022;
    return { ...options, noEmit: false, declaration: false, emitDeclarationOnly: false, declarationMap: false, sourceMap: false, composite: false, incremental: false, isolatedDeclarations: false, noUnusedLocals: false };
  }
}

/**
 * Where we knowingly differ from tsc: three errors that reject valid JavaScript that notebooks
 * use all the time. `typeof name` of a name never declared (is it defined yet?), a package
 * without types (it is `any`, as under noImplicitAny: false), and `globalThis.x` as a scratch
 * slot shared between cells.
 */
function acceptedInNotebooks(d: ts.Diagnostic, file: ts.SourceFile): boolean {
  if (d.code === 7016) return true;
  if (d.code === 7017 && ts.flattenDiagnosticMessageText(d.messageText, '\n').includes("'typeof globalThis'")) return true;
  if ((d.code === 2304 || d.code === 2552) && d.start !== undefined) {
    const node = findToken(file, d.start);
    return node !== undefined && ts.isIdentifier(node) && ts.isTypeOfExpression(node.parent);
  }
  return false;
}

function isInCommentOrString(file: ts.SourceFile, position: number): boolean {
  const token = findToken(file, position);
  if (token && (ts.isStringLiteral(token) || token.kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) && position > token.getStart(file) && position < token.end) return true;
  const text = file.text;
  for (const range of [...(ts.getLeadingCommentRanges(text, token?.getFullStart() ?? 0) ?? [])]) {
    if (position > range.pos && position <= range.end) return true;
  }
  return false;
}

function findToken(node: ts.Node, position: number): ts.Node | undefined {
  for (const child of node.getChildren()) {
    if (child.getFullStart() <= position && position < child.end) return findToken(child, position) ?? child;
  }
  return undefined;
}

/** Top-level names a cell declares itself (not imports, not the ones it already exports). */
function topLevelNames(file: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of file.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.isModuleDeclaration(statement) && !ts.isIdentifier(statement.name)) continue;
    names.push(...declaredNames(statement));
  }
  return [...new Set(names)];
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return statement.name ? [statement.name.text] : [];
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) return [statement.name.text];
  if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) return [statement.name.text];
  return [];
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

/** TypeScript's element kinds → the short kinds Jupyter frontends show beside a completion. */
function completionType(kind: string): string {
  switch (kind) {
    case ts.ScriptElementKind.memberFunctionElement:
      return 'method';
    case ts.ScriptElementKind.functionElement:
    case ts.ScriptElementKind.localFunctionElement:
      return 'function';
    case ts.ScriptElementKind.memberVariableElement:
    case ts.ScriptElementKind.memberGetAccessorElement:
    case ts.ScriptElementKind.memberSetAccessorElement:
      return 'property';
    case ts.ScriptElementKind.classElement:
      return 'class';
    case ts.ScriptElementKind.interfaceElement:
    case ts.ScriptElementKind.typeElement:
    case ts.ScriptElementKind.typeParameterElement:
      return 'type';
    case ts.ScriptElementKind.enumElement:
      return 'enum';
    case ts.ScriptElementKind.moduleElement:
    case ts.ScriptElementKind.externalModuleName:
      return 'module';
    case ts.ScriptElementKind.keyword:
      return 'keyword';
    case ts.ScriptElementKind.alias:
      return 'import';
    default:
      return 'variable';
  }
}
