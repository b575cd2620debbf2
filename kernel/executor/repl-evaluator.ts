import { Session } from 'node:inspector';
import { Script } from 'node:vm';
import { InterruptedError, type InterruptGuard } from './interrupt-guard';

export type Evaluation = { ok: true; value: unknown } | { ok: false; error: unknown };

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
}

interface EvaluateResult {
  result: RemoteObject;
  exceptionDetails?: { exception?: RemoteObject; text: string };
}

const STASH = Symbol.for('tempo.stash');
const OBJECT_GROUP = 'tempo-cell';
// Strict, so a primitive `this` is not boxed on its way back.
const STASH_FUNCTION = `function () { 'use strict'; globalThis[Symbol.for('tempo.stash')] = this; }`;

type Globals = typeof globalThis & { [STASH]?: unknown };

/**
 * What only REPL mode gives: lexical declarations a rerun may repeat, and top-level await. A
 * cell without these words (anywhere, even in a string: a false alarm only costs the slower path)
 * runs the same as a plain script, without the inspector's round trip (about 0.25 ms).
 */
const NEEDS_REPL_MODE = /\b(?:let|const|class|using|await|yield|import)\b/;

/**
 * Runs scripts in V8's REPL mode through an in-process inspector session, as Deno's REPL does:
 * top-level `await`, and `const`/`let`/`class` that a rerun may declare again. Every script runs
 * inside the guard's `run`, so an interrupt stops a synchronous busy loop and keeps all state.
 */
export class ReplEvaluator {
  private readonly session = new Session();
  private cancelPending: ((error: unknown) => void) | undefined;

  constructor(private readonly guard: InterruptGuard) {
    this.session.connect();
  }

  /** Evaluates `code`, named `scriptName` in stack traces; settles when any top-level await does. */
  evaluate(code: string, scriptName: string): Promise<Evaluation> {
    if (!NEEDS_REPL_MODE.test(code)) return Promise.resolve(this.runScript(code, scriptName));
    return new Promise<Evaluation>((resolve) => {
      let settled = false;
      const settle = (evaluation: Evaluation): void => {
        if (settled) return;
        settled = true;
        this.cancelPending = undefined;
        resolve(evaluation);
      };
      this.cancelPending = (error) => settle({ ok: false, error });
      try {
        this.guard.run(() =>
          this.session.post(
            'Runtime.evaluate',
            { expression: `${code}\n//# sourceURL=${scriptName}`, replMode: true, objectGroup: OBJECT_GROUP },
            (protocolError, response) => {
              if (settled) return;
              if (protocolError) return settle({ ok: false, error: protocolError });
              void this.fetch(response as EvaluateResult).then(settle);
            },
          ),
        );
      } catch (error) {
        settle({ ok: false, error });
      }
    });
  }

  /** A plain script: no inspector round trip. */
  private runScript(code: string, scriptName: string): Evaluation {
    try {
      const script = new Script(code, { filename: scriptName });
      return { ok: true, value: this.guard.run(() => script.runInThisContext()) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Stops waiting for a cell's top-level await (an interrupt outside synchronous code). */
  interrupt(): boolean {
    if (!this.cancelPending) return false;
    this.cancelPending(new InterruptedError());
    return true;
  }

  /** Turns the inspector's handle on the result or exception into the JavaScript value itself. */
  private async fetch(response: EvaluateResult): Promise<Evaluation> {
    const failed = response.exceptionDetails !== undefined;
    const remote = failed ? response.exceptionDetails?.exception : response.result;
    const { value } = remote ? await this.materialize(remote) : { value: response.exceptionDetails?.text };
    this.session.post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
    return failed ? { ok: false, error: value } : { ok: true, value };
  }

  /** Boxed, so a cell whose value is a promise is shown as one, not awaited (or its rejection thrown). */
  private materialize(remote: RemoteObject): Promise<{ value: unknown }> {
    if (remote.objectId === undefined) return Promise.resolve({ value: primitive(remote) });
    const globals = globalThis as Globals;
    return new Promise((resolve) => {
      this.session.post('Runtime.callFunctionOn', { objectId: remote.objectId, functionDeclaration: STASH_FUNCTION }, (error) => {
        const value = globals[STASH];
        delete globals[STASH];
        resolve({ value: error ?? value });
      });
    });
  }
}

function primitive(remote: RemoteObject): unknown {
  if (remote.type === 'undefined') return undefined;
  if (remote.unserializableValue !== undefined) {
    const text = remote.unserializableValue;
    if (text.endsWith('n')) return BigInt(text.slice(0, -1));
    return text === '-0' ? -0 : Number(text);
  }
  return remote.value;
}
