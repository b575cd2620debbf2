/**
 * TypeScript 7's asynchronous API client (JSON-RPC to `tsc --api --async`), as the checker uses
 * it. Its package is ES modules, ~40 files: loading them took ~100 ms before tsc could even
 * start. `npm run build` bundles this file from its TypeScript source into one CommonJS file with
 * esbuild, over what tsc compiled: from ES module syntax esbuild leaves out what these names do
 * not use. Unbundled it works the same, only slower.
 */
export { API, CompletionItemKind, DiagnosticCategory, SignatureKind, SymbolFlags } from 'typescript-native/unstable/async';
export type { Checker, CompletionEntry, Diagnostic, Emitter, Project, Snapshot, Symbol, Type } from 'typescript-native/unstable/async';
export { NodeFlags, SyntaxKind } from 'typescript-native/unstable/ast';
