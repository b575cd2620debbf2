import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The globals the executor installs for every cell (display and its helpers, input, comms) and
 * the `tempo` module that names them, as declarations for the checker. Their types come from the
 * compiled modules' declaration files through `import()` types, and their names from calling the same
 * factories the executor calls, so the declarations follow those APIs as they change.
 * Kept in step with executor-process-main.ts's installNotebookGlobals: { ...displayApi, input, comms, widgets, interact }.
 */
const SOURCES = [
  { file: 'executor/display-api', factory: 'createDisplayApi', pick: undefined },
  { file: 'executor/input-prompt', factory: 'createInput', pick: ['input'] },
  { file: 'executor/comm-api', factory: 'createComms', pick: ['comms'] },
  { file: 'executor/widgets/widget-api', factory: 'createWidgetApi', pick: ['widgets', 'interact'] },
] as const;

export function notebookGlobalsDeclarations(): string {
  // The compiled modules, beside their .d.ts files (tsconfig's declaration): the checker reads the
  // types there, so an installed package needs no TypeScript sources.
  const compiledRoot = path.resolve(__dirname, '..');
  const members: { name: string; type: string }[] = [];
  for (const source of SOURCES) {
    const compiled = path.join(compiledRoot, source.file);
    if (!existsSync(`${compiled}.d.ts`)) continue;
    let names: string[];
    try {
      const factory = require(compiled)[source.factory] as (emit: () => void) => Record<string, unknown>;
      names = Object.keys(factory(() => undefined)).filter((name) => !source.pick || (source.pick as readonly string[]).includes(name));
    } catch {
      continue;
    }
    const module = JSON.stringify(compiled);
    for (const name of names) members.push({ name, type: `ReturnType<typeof import(${module}).${source.factory}>[${JSON.stringify(name)}]` });
  }
  const globals = members.map((m) => `declare var ${m.name}: ${m.type};`).join('\n');
  const exports = members.map((m) => `  export const ${m.name}: ${m.type};`).join('\n');
  return `${globals}\ndeclare module "tempo" {\n${exports}\n}\n`;
}
