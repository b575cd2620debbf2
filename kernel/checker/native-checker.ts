import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticCategory, type API, type Diagnostic, type Project, type Snapshot } from './tsc-client';
import { GLOBALS_PROBE, identifierCandidates, memberCandidates, type Candidate } from './completion-candidates';
import { cellDeclarations, type Declaration, type DeclarationKind } from './cell-declarations';
import { mirrorOf, newCheckerFolder, removeCheckerFolder } from '../common/checker-folder';
import { blankMagics } from '../common/magics';
import { toCodePoints, toUtf16 } from '../common/code-points';
import { notebookGlobalsDeclarations } from './notebook-globals';
import { QuickInfo } from './quick-info';
import { NodeModulesStamp, notebookTsconfig, startTsc, type Tsc } from './tsc-project';
import { spawnTsc, type TscProcess } from './tsc-process';
import type { CellDiagnostic, Completion, CompletionItem, Inspection } from '../common/type-checker';

/** tsc's error for assigning to each kind of declaration other than `let` and `var`. */
const ASSIGNMENT_ERRORS: Record<Exclude<DeclarationKind, 'let' | 'var' | 'import' | 'type'>, [number, string]> = {
  const: [2588, 'a constant'],
  function: [2630, 'a function'],
  class: [2629, 'a class'],
  enum: [2628, 'an enum'],
  namespace: [2631, 'a namespace'],
};
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Signatures are looked up for this many matches only: each costs a few round trips to tsc. */
const SIGNATURES_FOR = 40;

/**
 * TypeScript 7's native checker (a `tsc --api` child process, driven through its asynchronous
 * API, one call at a time: CheckerClient queues them) over a fixed set of three files, written
 * to a private folder where tsc resolves their imports as if they sat in the notebook's folder
 * (see newCheckerFolder). A fixed root set keeps a check at a few milliseconds; a new root file
 * would cost 30–50 ms.
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
  private readonly rootFiles: string[];
  /** What each of our files holds, so that only a change is written and sent to tsc. */
  private readonly texts = new Map<string, string>();
  private readonly changed = new Set<string>();
  private readonly api: API;
  private snapshot: Snapshot | undefined;
  private cellSource = '';
  /** One list per committed cell, oldest first. */
  private committed: Declaration[][] = [];
  /** Each earlier name (the file exports them in this order) and what its newest declaration is. */
  private prevKinds = new Map<string, DeclarationKind>();
  private readonly nodeModules: NodeModulesStamp;
  /** Notes for the kernel's log (tsconfig problems). */
  readonly notes: string[] = [];

  /**
   * Starts tsc and writes the project. `started` is the checker's folder (from
   * newCheckerFolder(cwd)) and the tsc already started in it, by whoever made the folder and
   * removes it; without them, the checker makes its own and removes the folder on close().
   * `onTscExit` is called if tsc ends (close() ends it too).
   */
  static async start(cwd: string, started?: { folder: string; tsc: TscProcess }, onTscExit: (why: string) => void = () => undefined): Promise<NativeChecker> {
    const folder = started?.folder ?? newCheckerFolder(cwd);
    let tsc: Tsc | undefined;
    try {
      tsc = await startTsc(started?.tsc ?? spawnTsc(cwd, folder), onTscExit);
      const checker = new NativeChecker(cwd, folder, started === undefined, tsc);
      checker.write(checker.configFile, await notebookTsconfig(tsc.api, cwd, folder, checker.rootFiles, checker.notes));
      return checker;
    } catch (error) {
      await tsc?.end();
      if (!started) removeCheckerFolder(folder);
      throw error;
    }
  }

  private constructor(
    cwd: string,
    private readonly folder: string,
    private readonly ownsFolder: boolean,
    private readonly tsc: Tsc,
  ) {
    this.api = tsc.api;
    const mirror = mirrorOf(this.folder, cwd);
    this.cellFile = path.join(mirror, '__tempo_cell__.ts');
    this.prevFile = path.join(mirror, '__tempo_prev__.ts');
    this.configFile = path.join(mirror, '__tempo_tsconfig__.json');
    this.nodeModules = new NodeModulesStamp(path.join(cwd, 'node_modules'));
    const globalsFile = path.join(mirror, '__tempo_globals__.d.ts');
    this.write(globalsFile, notebookGlobalsDeclarations());
    this.write(this.prevFile, 'export {};\n');
    this.write(this.cellFile, 'export {};\n');
    this.rootFiles = [globalsFile, this.prevFile, this.cellFile];
  }

  async check(code: string): Promise<CellDiagnostic[]> {
    if (!this.setCell(code)) return [];
    const source = this.cellSource;
    const diagnostics = await (await this.project()).program.getSemanticDiagnostics(this.cellFile);
    return diagnostics
      .filter((d) => d.category === DiagnosticCategory.Error && d.pos < source.length && !acceptedInNotebooks(d, source))
      .flatMap((d) => this.asDeclared(d))
      .map((d) => {
        const start = d.pos;
        const lineStart = source.lastIndexOf('\n', start - 1) + 1;
        const lineEnd = source.indexOf('\n', start) === -1 ? source.length : source.indexOf('\n', start);
        const end = Math.min(Math.max(d.end, start + 1), lineEnd);
        return {
          code: d.code,
          message: this.realPaths(d.message),
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

  async complete(code: string, cursorPos: number): Promise<Completion> {
    // A cell that does not parse yet (the usual state while typing) is completed as it stands.
    // The probe after it lists the globals, for completing a bare name (see identifierCandidates).
    this.setCell(code, true, GLOBALS_PROBE);
    const source = this.cellSource;
    const position = toUtf16(source, Math.max(0, cursorPos));
    const cursor = toCodePoints(source, position);
    let wordStart = position;
    while (wordStart > 0 && /[\p{ID_Continue}$\u200c\u200d]/u.test(source[wordStart - 1])) wordStart--;
    const project = await this.project();
    const quickInfo = this.quickInfo(project);
    const probeEnd = this.texts.get(this.cellFile)?.length ?? 0;
    const candidates = (await memberCandidates(project, this.cellFile, position)) ?? (await identifierCandidates(project, this.cellFile, position, wordStart, source, [...this.prevKinds.keys()], probeEnd));
    const prefix = source.slice(wordStart, position);
    const lower = prefix.toLowerCase();
    const rank = (candidate: Candidate): number => (candidate.name.startsWith(prefix) ? 0 : 1);
    const matching = candidates
      .filter((candidate) => candidate.name.toLowerCase().startsWith(lower) && !candidate.name.startsWith('__tempo'))
      .sort((a, b) => rank(a) - rank(b) || a.order.localeCompare(b.order) || a.name.localeCompare(b.name));
    const start = toCodePoints(source, wordStart);
    const seen = new Set<string>();
    const unique = matching.filter((candidate) => !seen.has(candidate.name) && seen.add(candidate.name));
    // Each symbol costs a few round trips to tsc: only the first matches get a signature, asked for all at once.
    const items: CompletionItem[] = await Promise.all(
      unique.map(async (candidate, index) => {
        const found = index < SIGNATURES_FOR ? await candidate.symbol() : undefined;
        const symbol = found && (await quickInfo.resolve(found));
        const type = candidate.type ?? (symbol ? quickInfo.kind(symbol) : 'variable');
        return { start, end: cursor, text: candidate.name, type, signature: symbol ? await quickInfo.describe(symbol) : '' };
      }),
    );
    return { matches: items.map((item) => item.text), cursorStart: start, cursorEnd: cursor, metadata: { _jupyter_types_experimental: items } };
  }

  async inspect(code: string, cursorPos: number): Promise<Inspection> {
    this.setCell(code, true);
    const source = this.cellSource;
    const position = toUtf16(source, cursorPos);
    // Shift-Tab comes with the cursor after the name, or inside `name(` : look back to the name.
    let back = position;
    while (back > 0 && /[\s(]/.test(source[back - 1])) back--;
    const project = await this.project();
    const candidates = [position, position - 1, back - 1].filter((p) => p >= 0 && p < source.length);
    const symbols = candidates.length > 0 ? await project.checker.getSymbolAtPosition(this.cellFile, candidates) : [];
    // Not the cell's own module (whitespace resolves to it).
    const found = symbols.find((symbol) => symbol !== undefined && !symbol.name.startsWith('"'));
    if (!found) return { found: false, data: {} };
    const quickInfo = this.quickInfo(project);
    return { found: true, data: await quickInfo.help(await quickInfo.resolve(found)) };
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

  /** Ends tsc (tests, and a checker whose tsc failed; otherwise it ends with the kernel). */
  async close(): Promise<void> {
    await this.tsc.end();
    if (this.ownsFolder) removeCheckerFolder(this.folder);
  }

  /** Puts the cell in place; false when it does not parse (unless `anyway`): a syntax error is the executor's to report. */
  private setCell(code: string, anyway = false, probe = ''): boolean {
    // A lone surrogate (which a protocol message may carry) makes tsc panic: U+FFFD keeps every offset.
    const source = blankMagics(code.replace(LONE_SURROGATE, '\ufffd'));
    const declared = cellDeclarations(source);
    if (!declared && !anyway) return false;
    this.cellSource = source;
    const own = declared?.names ?? new Set<string>();
    const imported = [...this.prevKinds.keys()].filter((name) => !own.has(name));
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
    const text = `${all.map((d) => d.text).join('\n')}\nexport { ${[...this.prevKinds.keys()].join(', ')} };\n`;
    return this.update(this.prevFile, text);
  }

  private update(file: string, text: string): boolean {
    if (this.texts.get(file) === text) return false;
    // Overwritten in place, then cut to length: ext4 writes a file truncated to nothing out to
    // disk when it is closed (writeFileSync took ~0.35 ms a check; this ~0.02 ms).
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, writeSync(fd, text, 0));
    } finally {
      closeSync(fd);
    }
    this.texts.set(file, text);
    this.changed.add(file);
    return true;
  }

  private write(file: string, text: string): void {
    writeFileSync(file, text);
    this.texts.set(file, text);
  }

  /** Paths in a message as if our files sat in the notebook's folder: an earlier cell's type shows as `import("<cwd>/__tempo_prev__").T`. */
  private realPaths(text: string): string {
    return text.replaceAll(this.folder, '');
  }

  /** The project with every change made so far; a package installed next to the notebook since is seen too. */
  private async project(): Promise<Project> {
    if (!this.snapshot) {
      this.changed.clear();
      this.snapshot = await this.api.updateSnapshot({ openProjects: [this.configFile] });
      await this.noteConfigProblems();
    } else if (this.nodeModules.changed()) {
      this.changed.clear();
      await this.replaceSnapshot({ invalidateAll: true });
    }
    // One file per snapshot: tsc updates a program for one changed file in 2–4 ms, but rebuilds
    // it for two (30–40 ms, measured with the previous cells' file and the cell both changed).
    for (const file of [...this.changed]) await this.replaceSnapshot({ changed: [file] });
    this.changed.clear();
    return this.snapshot.getProject(this.configFile) as Project;
  }

  private async replaceSnapshot(fileChanges: { invalidateAll: true } | { changed: string[] }): Promise<void> {
    const previous = this.snapshot;
    this.snapshot = await this.api.updateSnapshot({ fileChanges });
    await previous?.dispose();
  }

  private quickInfo(project: Project): QuickInfo {
    return new QuickInfo(project.checker, project.emitter, new Set([this.cellFile, this.prevFile]));
  }

  private async noteConfigProblems(): Promise<void> {
    const program = this.snapshot?.getProject(this.configFile)?.program;
    for (const d of (await program?.getConfigFileParsingDiagnostics()) ?? []) {
      if (d.code !== 18003) this.notes.push(`tsconfig.json: ${this.realPaths(flatten(d))}`);
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

