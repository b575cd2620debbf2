/**
 * TypeScript 7's API client, as the checker uses it. Its package is ES modules, ~40 files: loading
 * them took the checker's thread ~100 ms before tsc could even start. `npm run build` bundles this
 * file (after tsc compiled it) into one CommonJS file with esbuild, which loads in ~35 ms; unbundled
 * it works the same, only slower.
 */
export { API, CompletionItemKind, DiagnosticCategory, SignatureKind, SymbolFlags } from 'typescript-native/unstable/sync';
export type { Checker, CompletionEntry, Diagnostic, Emitter, Project, Snapshot, Symbol, Type } from 'typescript-native/unstable/sync';
export { NodeFlags, SyntaxKind } from 'typescript-native/unstable/ast';
