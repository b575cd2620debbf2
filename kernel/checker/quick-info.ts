import { NodeFlags, SignatureKind, SymbolFlags, SyntaxKind, type Checker, type Emitter, type Symbol as TsSymbol, type Type } from './tsc-client';

/**
 * What TypeScript 6's quick info showed and TypeScript 7's API has no call for: the one-line
 * description of a symbol, as editors show it (`(method) Math.floor(x: number): number`,
 * `function double(x: number): number`, `const n: number`), and its documentation.
 */
export class QuickInfo {
  constructor(
    private readonly checker: Checker,
    private readonly emitter: Emitter,
    /** Files whose declarations may be fetched to tell `const` from `let` (small, ours). */
    private readonly ownFiles: ReadonlySet<string>,
  ) {}

  /** An import of an earlier cell or a package shows as what it names. */
  async resolve(symbol: TsSymbol): Promise<TsSymbol> {
    return symbol.flags & SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
  }

  async describe(symbol: TsSymbol): Promise<string> {
    const { checker } = this;
    const flags = symbol.flags;
    const name = symbol.name;
    const parent = await symbol.getParent();
    // Members of anonymous object types have a parent named `__object` or `__type`: no prefix then.
    const qualified = parent && !parent.name.startsWith('__') && !parent.name.startsWith('"') ? `${parent.name}.${name}` : name;
    const type = () => checker.getTypeOfSymbol(symbol);
    if (flags & SymbolFlags.Method) return `(method) ${qualified}${await this.signature(await type())}`;
    if (flags & SymbolFlags.Function) return `function ${name}${await this.signature(await type())}`;
    if (flags & SymbolFlags.Class) return `class ${name}`;
    if (flags & SymbolFlags.Interface) return `interface ${name}`;
    if (flags & SymbolFlags.TypeAlias) return `type ${name} = ${await checker.typeToString(await checker.getDeclaredTypeOfSymbol(symbol))}`;
    if (flags & SymbolFlags.Enum) return `enum ${name}`;
    if (flags & SymbolFlags.EnumMember) return `(enum member) ${qualified}`;
    // A variable merged with a namespace (`console`) shows as the variable, as TypeScript does first.
    if (flags & (SymbolFlags.Property | SymbolFlags.Accessor)) return `(property) ${qualified}: ${await this.typeText(await type())}`;
    if (flags & SymbolFlags.Variable) return `${await this.variableKind(symbol)} ${name}: ${await this.typeText(await type())}`;
    if (flags & SymbolFlags.Module) return `namespace ${name}`;
    return `${name}: ${await this.typeText(await type())}`;
  }

  /** The short kind Jupyter frontends show beside a completion. */
  kind(symbol: TsSymbol): string {
    const flags = symbol.flags;
    if (flags & SymbolFlags.Method) return 'method';
    if (flags & SymbolFlags.Function) return 'function';
    if (flags & SymbolFlags.Class) return 'class';
    if (flags & (SymbolFlags.Interface | SymbolFlags.TypeAlias)) return 'type';
    if (flags & SymbolFlags.Enum) return 'enum';
    if (flags & SymbolFlags.Module) return 'module';
    if (flags & (SymbolFlags.Property | SymbolFlags.Accessor | SymbolFlags.EnumMember)) return 'property';
    return 'variable';
  }

  /** What Shift-Tab shows: the description, the JSDoc and its tags, as text/plain and text/markdown. */
  async help(symbol: TsSymbol): Promise<{ 'text/plain': string; 'text/markdown': string }> {
    const [signature, { text: doc, tags }] = await Promise.all([this.describe(symbol), this.documentation(symbol)]);
    const plainTags = tags.map((tag) => [`@${tag.name}`, tag.parameter, tag.text].filter(Boolean).join(' '));
    const markdownTags = tags.map((tag) => `*@${tag.name}*${tag.parameter ? ` \`${tag.parameter}\`` : ''}${tag.text ? ` — ${tag.text}` : ''}`);
    return {
      'text/plain': [signature, doc, plainTags.join('\n')].filter(Boolean).join('\n\n'),
      'text/markdown': ['```typescript\n' + signature + '\n```', doc, markdownTags.join('  \n')].filter(Boolean).join('\n\n'),
    };
  }

  private async documentation(symbol: TsSymbol): Promise<{ text: string; tags: { name: string; parameter?: string; text: string }[] }> {
    const [text, jsDocTags] = await Promise.all([this.checker.getDocumentationCommentOfSymbol(symbol), this.checker.getJsDocTagsOfSymbol(symbol)]);
    const tags = jsDocTags.map((tag) => {
      const words = (tag.text ?? '').trim();
      if (tag.name !== 'param' && tag.name !== 'arg' && tag.name !== 'argument') return { name: tag.name, text: words };
      const [parameter, ...rest] = words.split(/\s+/);
      return { name: tag.name, parameter, text: rest.join(' ') };
    });
    return { text, tags };
  }

  /** `(x: number): number`, or `: T` for a value that cannot be called; `(+1 overload)` after the first of several. */
  private async signature(type: Type | undefined): Promise<string> {
    if (!type) return '';
    const signatures = await this.checker.getSignaturesOfType(type, SignatureKind.Call);
    if (signatures.length === 0) return `: ${await this.typeText(type)}`;
    const node = await this.checker.signatureToSignatureDeclaration(signatures[0], SyntaxKind.MethodSignature);
    const printed = node ? (await this.emitter.printNode(node)).replace(/;\s*$/, '') : '()';
    const more = signatures.length - 1;
    return more > 0 ? `${printed} (+${more} overload${more > 1 ? 's' : ''})` : printed;
  }

  private async typeText(type: Type | undefined): Promise<string> {
    return type ? this.checker.typeToString(type) : 'any';
  }

  private async variableKind(symbol: TsSymbol): Promise<string> {
    const declaration = symbol.valueDeclaration;
    if (declaration?.kind === SyntaxKind.Parameter) return '(parameter)';
    if (symbol.flags & SymbolFlags.FunctionScopedVariable) return 'var';
    if (!declaration || !this.ownFiles.has(declaration.path)) return 'const';
    const list = (await declaration.resolve())?.parent;
    return list && list.flags & NodeFlags.Const ? 'const' : 'let';
  }
}
