import type * as Oxc from 'oxc-parser';
import { parseCell } from '../common/parse-cell';

/** One top-level declaration of a cell, as the checks of later cells see it. */
/** What a name is, for what assigning to it from a later cell means (`let` and `var` allow it). */
export type DeclarationKind = 'let' | 'var' | 'const' | 'function' | 'class' | 'enum' | 'namespace' | 'import' | 'type';

export interface Declaration {
  /** The names it declares; none for what stays whatever comes later (`declare global`, `import "m"`). */
  names: string[];
  kind: DeclarationKind;
  /** One statement of TypeScript, with the comments before it (JSDoc shows in inspection). */
  text: string;
}

export interface CellDeclarations {
  declarations: Declaration[];
  /** Every top-level name the cell declares: what it must not import from the earlier cells. */
  names: Set<string>;
}

/**
 * The top-level declarations of a cell (magic lines already blanked), one name per statement
 * where the syntax allows, so that a later cell redeclaring one name drops only that one:
 * `const a = 1, b = 2` gives two statements, `import { x, y } from "m"` two imports. Undefined
 * when the cell does not parse (the executor reports that).
 */
export function cellDeclarations(source: string): CellDeclarations | undefined {
  const parsed = parseCell(source);
  if (parsed.errors.length > 0) return undefined;
  const declarations: Declaration[] = [];
  let previousEnd = 0;
  for (const statement of parsed.program.body) {
    const leading = source.slice(previousEnd, statement.start);
    previousEnd = statement.end;
    const declared = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (!declared) continue;
    const pieces = piecesOf(declared as Oxc.Statement, source);
    if (pieces.length > 0) pieces[0].text = leading + pieces[0].text;
    declarations.push(...pieces);
  }
  return { declarations, names: new Set(declarations.flatMap((d) => d.names)) };
}

function piecesOf(statement: Oxc.Statement, source: string): Declaration[] {
  const text = (node: { start: number; end: number }) => source.slice(node.start, node.end);
  const one = (kind: DeclarationKind, names: string[]): Declaration[] => [{ names, kind, text: text(statement) }];
  switch (statement.type) {
    case 'VariableDeclaration': {
      const kind = statement.kind === 'let' || statement.kind === 'var' ? statement.kind : 'const';
      if (statement.declarations.length === 1) return one(kind, bindingNames(statement.declarations[0].id));
      const keyword = `${statement.declare ? 'declare ' : ''}${statement.kind}`;
      return statement.declarations.map((d) => ({ names: bindingNames(d.id), kind, text: `${keyword} ${text(d)};` }));
    }
    case 'FunctionDeclaration':
    case 'TSDeclareFunction':
      return one('function', statement.id ? [statement.id.name] : []);
    case 'ClassDeclaration':
      return one('class', statement.id ? [statement.id.name] : []);
    case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration':
      return one('type', [statement.id.name]);
    case 'TSEnumDeclaration':
      return one('enum', [statement.id.name]);
    case 'TSImportEqualsDeclaration':
      return one('import', [statement.id.name]);
    case 'TSModuleDeclaration': {
      // `declare global {}` and `declare module "m" {}` declare no name of their own: always kept.
      let id: Oxc.TSModuleDeclaration['id'] | Oxc.TSQualifiedName['left'] = statement.id;
      while (id.type === 'TSQualifiedName') id = id.left;
      return one('namespace', statement.kind !== 'global' && id.type === 'Identifier' ? [id.name] : []);
    }
    case 'ImportDeclaration': {
      if (!statement.specifiers || statement.specifiers.length === 0) return one('import', []);
      const type = statement.importKind === 'type' ? 'type ' : '';
      // The module and any `with { … }` attributes, as written.
      const from = source.slice(statement.source.start, statement.end).replace(/;\s*$/, '');
      return statement.specifiers.map((specifier) => {
        const name = specifier.local.name;
        const binding = specifier.type === 'ImportDefaultSpecifier' ? name : specifier.type === 'ImportNamespaceSpecifier' ? `* as ${name}` : `{ ${text(specifier)} }`;
        return { names: [name], kind: 'import' as const, text: `import ${type}${binding} from ${from};` };
      });
    }
    default:
      return [];
  }
}

function bindingNames(pattern: BindingNode): string[] {
  return bindingIdentifiers(pattern).map((identifier) => identifier.name);
}

type BindingNode = Oxc.BindingPattern | Oxc.BindingRestElement | Oxc.AssignmentPattern | Oxc.ParamPattern;

/** The identifiers a binding pattern declares (`{ a, b: [c] }` → a, c), with their positions. */
export function bindingIdentifiers(pattern: BindingNode): Oxc.BindingIdentifier[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern];
    case 'AssignmentPattern':
      return bindingIdentifiers(pattern.left as BindingNode);
    case 'RestElement':
      return bindingIdentifiers(pattern.argument as BindingNode);
    case 'TSParameterProperty':
      return bindingIdentifiers(pattern.parameter as BindingNode);
    case 'ArrayPattern':
      return pattern.elements.flatMap((element) => (element ? bindingIdentifiers(element as BindingNode) : []));
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) => bindingIdentifiers((property.type === 'RestElement' ? property : property.value) as BindingNode));
    default:
      return [];
  }
}
