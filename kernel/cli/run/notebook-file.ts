import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../usage-error';

/** nbformat 4 output shapes (nbformat v4 schema: output). */
export type NotebookOutput =
  | { output_type: 'stream'; name: string; text: string | string[] }
  | { output_type: 'execute_result'; execution_count: number | null; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: unknown };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  [key: string]: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

export const joinSource = (source: string | string[]): string => (Array.isArray(source) ? source.join('') : String(source));

/** `"a\nb"` → `["a\n", "b"]`: how Jupyter stores multiline strings, so diffs stay line by line. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Cell tags, tolerating notebooks whose `tags` is not a list of strings. */
export const tagsOf = (cell: NotebookCell): string[] => (Array.isArray(cell.metadata?.tags) ? cell.metadata.tags.filter((tag): tag is string => typeof tag === 'string') : []);

/** Reads and checks a notebook; anything we cannot run is a UsageError with a one-line reason. */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read notebook ${path}: ${reason}`);
  }
  let notebook: unknown;
  try {
    notebook = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not a notebook: it is not valid JSON (${(error as Error).message})`);
  }
  if (typeof notebook !== 'object' || notebook === null || Array.isArray(notebook) || !Array.isArray((notebook as Notebook).cells)) {
    throw new UsageError(`${path} is not a Jupyter notebook: it has no "cells" list`);
  }
  const candidate = notebook as Notebook;
  if (candidate.nbformat !== 4) {
    throw new UsageError(`${path} is nbformat ${String(candidate.nbformat)}; tempo run reads nbformat 4 (convert it with: jupyter nbconvert --to notebook)`);
  }
  candidate.cells.forEach((cell, index) => {
    if (typeof cell !== 'object' || cell === null || typeof cell.cell_type !== 'string' || (typeof cell.source !== 'string' && !Array.isArray(cell.source))) {
      throw new UsageError(`${path} is not a valid notebook: cell ${index + 1} has no cell_type or source`);
    }
    cell.metadata = typeof cell.metadata === 'object' && cell.metadata !== null ? cell.metadata : {};
  });
  candidate.metadata = typeof candidate.metadata === 'object' && candidate.metadata !== null ? candidate.metadata : {};
  return candidate;
}

/** nbformat 4.5: every cell has a unique id; keep valid ones, add the missing (as nbformat's upgrade does). */
export function upgradeTo45(notebook: Notebook): void {
  const seen = new Set<string>();
  for (const cell of notebook.cells) {
    if (typeof cell.id !== 'string' || !ID_PATTERN.test(cell.id) || seen.has(cell.id)) cell.id = randomUUID().replace(/-/g, '').slice(0, 8);
    seen.add(cell.id);
  }
  notebook.nbformat = 4;
  notebook.nbformat_minor = Math.max(5, Number(notebook.nbformat_minor) || 0);
}

/** Sorted keys and one-space indent, like nbformat's writer, so Jupyter re-saving the file changes nothing. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

/** Writes through a temporary file and a rename, so `--inplace` never leaves half a notebook. */
export function writeNotebook(path: string, notebook: Notebook): void {
  for (const cell of notebook.cells) if (typeof cell.source === 'string') cell.source = splitLines(cell.source);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(sortKeys(notebook), null, 1)}\n`);
  renameSync(temporary, path);
}
