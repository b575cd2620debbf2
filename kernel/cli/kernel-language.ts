// The half of `tempo kernel` that runs cells: the TypeScript language, its executor child and
// its checker. kernel-command.ts loads it once the sockets serve: its modules (child processes,
// display) take the kernel's thread ~15 ms that kernel_info does not need.
import type { ChildProcess } from 'node:child_process';
import type { Language, LanguageHost } from '../core/language';
import { ExecutorProcess } from '../language/executor-process';
import type { CheckerClient } from '../language/checker-client';
import { TypeScriptLanguage } from '../language/typescript-language';
import { createTypeChecker } from './kernel-checker';
import { executorEnv } from './launch-env';

/** Builds the language, idle until start(). `tempo kernel --eager` gives the checker and the first executor, started already. */
export function createLanguage(host: LanguageHost, checker: CheckerClient = createTypeChecker(), executor?: ChildProcess): Language {
  const language: TypeScriptLanguage = new TypeScriptLanguage(
    host,
    new ExecutorProcess(
      {
        onEvent: (event) => language.onEvent(event),
        onRawOutput: (name, text) => language.onRawOutput(name, text),
        onExit: (code, signal) => language.onExecutorExit(code, signal),
      },
      executorEnv(process.env),
      executor,
    ),
    checker,
  );
  return language;
}
