import type * as Oxc from 'oxc-parser';

/** One top-level declaration of a cell, as the checks of later cells see it. */
export interface Declaration {
  /** The names it declares; none for what stays whatever comes later (`declare global`, `import "m"`). */
  names: string[];
  /** One statement of TypeScript, with the comments before it (JSDoc shows in inspection). */
  text: string;
}

export interface CellDeclarations {
  declarations: Declaration[];
  /** Every top-level name the cell declares: what it must not import from the earlier cells. */
  names: Set<string>;
}

let parser: typeof Oxc | undefined;

/**
 * The top-level declarations of a cell (magic lines already blanked), one name per statement
 * where the syntax allows, so that a later cell redeclaring one name drops only that one:
 * `const a = 1, b = 2` gives two statements, `import { x, y } from "m"` two imports. Undefined
 * when the cell does not parse (the executor reports that).
 */
export function cellDeclarations(source: string): CellDeclarations | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser ??= require('oxc-parser') as typeof Oxc;
  const parsed = parser.parseSync('cell.ts', source, { lang: 'ts', sourceType: 'module' });
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
  switch (statement.type) {
    case 'VariableDeclaration': {
      if (statement.declarations.length === 1) return [{ names: bindingNames(statement.declarations[0].id), text: text(statement) }];
      const keyword = `${statement.declare ? 'declare ' : ''}${statement.kind}`;
      return statement.declarations.map((d) => ({ names: bindingNames(d.id), text: `${keyword} ${text(d)};` }));
    }
    case 'FunctionDeclaration':
    case 'TSDeclareFunction':
    case 'ClassDeclaration':
    case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration':
    case 'TSEnumDeclaration':
    case 'TSImportEqualsDeclaration':
      return [{ names: statement.id ? [statement.id.name] : [], text: text(statement) }];
    case 'TSModuleDeclaration': {
      // `declare global {}` and `declare module "m" {}` declare no name of their own: always kept.
      let id: Oxc.TSModuleDeclaration['id'] | Oxc.TSQualifiedName['left'] = statement.id;
      while (id.type === 'TSQualifiedName') id = id.left;
      return [{ names: statement.kind !== 'global' && id.type === 'Identifier' ? [id.name] : [], text: text(statement) }];
    }
    case 'ImportDeclaration': {
      if (!statement.specifiers || statement.specifiers.length === 0) return [{ names: [], text: text(statement) }];
      const type = statement.importKind === 'type' ? 'type ' : '';
      // The module and any `with { … }` attributes, as written.
      const from = source.slice(statement.source.start, statement.end).replace(/;\s*$/, '');
      return statement.specifiers.map((specifier) => {
        const name = specifier.local.name;
        if (specifier.type === 'ImportDefaultSpecifier') return { names: [name], text: `import ${type}${name} from ${from};` };
        if (specifier.type === 'ImportNamespaceSpecifier') return { names: [name], text: `import ${type}* as ${name} from ${from};` };
        return { names: [name], text: `import ${type}{ ${text(specifier)} } from ${from};` };
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
