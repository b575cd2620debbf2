import type * as Oxc from 'oxc-parser';
import { parseCell } from '../common/parse-cell';
import { bindingIdentifiers } from './cell-declarations';

interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/**
 * The names declared in the cell that code at `position` can see: the declarations of every
 * block, function and loop around it (innermost first), and the cell's own top level.
 * TypeScript 7's API refuses completions of a bare identifier (they would need auto-imports), so
 * the checker puts these together with the earlier cells' names and the globals itself.
 */
export function namesInScope(source: string, position: number): string[] {
  const scopes: string[][] = [];
  let node: AstNode | undefined = parsedUpTo(source, position);
  while (node) {
    scopes.unshift(declaredIn(node));
    node = children(node).find((child) => child.start <= position && position <= child.end);
  }
  return scopes.flat();
}

/**
 * The cell's syntax tree. A cell being typed rarely parses (`console.log(na`), and oxc then
 * gives up on it: the text up to the cursor is parsed instead, its open brackets, strings and
 * templates closed, and if that is not enough, a body after the innermost `)` (`if (na`).
 */
function parsedUpTo(source: string, position: number): AstNode {
  const whole = parseCell(source);
  if (whole.errors.length === 0) return whole.program as unknown as AstNode;
  const prefix = source.slice(0, position);
  const closers = closersOf(prefix);
  for (const suffix of [closers, closers.replace(')', '){}')]) {
    const attempt = parseCell(prefix + suffix);
    if (attempt.errors.length === 0) return attempt.program as unknown as AstNode;
  }
  return whole.program as unknown as AstNode;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}', '${': '}', '`': '`', "'": "'", '"': '"' };

/** What closes everything `text` leaves open (brackets, strings, templates), innermost first. Comments are skipped. */
function closersOf(text: string): string {
  const open: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = open[open.length - 1];
    if (top === "'" || top === '"') {
      if (c === '\\') i++;
      else if (c === top || c === '\n') open.pop();
    } else if (top === '`') {
      if (c === '\\') i++;
      else if (c === '`') open.pop();
      else if (c === '$' && text[i + 1] === '{') {
        open.push('${');
        i++;
      }
    } else if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) === -1 ? text.length : text.indexOf('*/', i + 2) + 1;
    } else if (c in CLOSER) {
      open.push(c);
    } else if ((c === ')' || c === ']' || c === '}') && CLOSER[top] === c) {
      open.pop();
    }
  }
  return open.reverse().map((opener) => CLOSER[opener]).join('');
}

/** What a node makes visible to everything inside it. */
function declaredIn(node: AstNode): string[] {
  const identifiers: Oxc.BindingIdentifier[] = [];
  const bind = (pattern: unknown) => identifiers.push(...bindingIdentifiers(pattern as Oxc.BindingPattern));
  const named = (id: unknown) => id && identifiers.push(id as Oxc.BindingIdentifier);
  switch (node.type) {
    case 'Program':
    case 'BlockStatement':
    case 'StaticBlock':
    case 'TSModuleBlock':
      for (const statement of node.body as AstNode[]) {
        const declared = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
        if (!declared) continue;
        if (declared.type === 'VariableDeclaration') for (const d of declared.declarations as Oxc.VariableDeclarator[]) bind(d.id);
        else if (declared.type === 'ImportDeclaration') for (const s of (declared.specifiers ?? []) as Oxc.ImportDeclarationSpecifier[]) named(s.local);
        else named(declared.id);
      }
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      named(node.id);
      for (const param of node.params as unknown[]) bind(param);
      break;
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const head = (node.init ?? node.left) as AstNode | null;
      if (head?.type === 'VariableDeclaration') for (const d of head.declarations as Oxc.VariableDeclarator[]) bind(d.id);
      break;
    }
    case 'CatchClause':
      if (node.param) bind(node.param);
      break;
    case 'ClassExpression':
      named(node.id);
      break;
  }
  return identifiers.filter((id) => id && typeof id.name === 'string').map((id) => id.name);
}

function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const item of value) (isNode(item) ? out.push(item) : undefined);
    else if (isNode(value)) out.push(value);
  }
  return out;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string' && typeof (value as AstNode).start === 'number';
}
