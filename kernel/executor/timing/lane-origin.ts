/**
 * Names a timer or I/O lane after where the user's code created it (issue 16): the innermost
 * named user function on the creating stack, and the API it called, or the helper it went
 * through: `fetchUser · setTimeout 160 ms`, `asyncJob · sleep(1000)`, `sleep(400)`,
 * `setInterval 40 ms`, `fs.readFile`.
 *
 * Capturing must be cheap, since a cell may start 10,000 timers: `capture` only records V8's
 * structured stack (formatting is lazy), and `describe` reads it once, when the cell ends.
 */

/** Frames kept per origin: node's own timer and fs frames come first, then the user's. */
const STACK_FRAMES = 14;

/** Whether a script (a cell, a file the notebook imports) is the user's, not node's or Tempo's. */
export type IsUserFile = (file: string) => boolean;

/** A captured stack, read at most once. */
export interface Origin {
  stack?: unknown;
}

/** Records the stack above `skipAbove` (the async hook, which means nothing to the user). */
export function captureOrigin(skipAbove: (...args: never[]) => unknown): Origin {
  const holder: Origin = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES;
  Error.captureStackTrace(holder, skipAbove);
  Error.stackTraceLimit = limit;
  return holder;
}

/** node's resource types for I/O that no user frame started (a socket a library opened later). */
const RESOURCE_NAMES: Record<string, string> = {
  FSREQCALLBACK: 'fs',
  FSREQPROMISE: 'fs',
  FILEHANDLE: 'file handle',
  STATWATCHER: 'fs.watchFile',
  FSEVENTWRAP: 'fs.watch',
  TCPWRAP: 'TCP socket',
  TCPCONNECTWRAP: 'TCP connect',
  TCPSERVERWRAP: 'TCP server',
  GETADDRINFOREQWRAP: 'DNS lookup',
  GETNAMEINFOREQWRAP: 'DNS lookup',
  QUERYWRAP: 'DNS query',
  HTTPINCOMINGMESSAGE: 'HTTP request',
  HTTPCLIENTREQUEST: 'HTTP request',
  UDPWRAP: 'UDP socket',
  ZLIB: 'zlib',
  PROCESSWRAP: 'child process',
  WORKER: 'worker',
};

/** The public module an internal file belongs to: `node:internal/fs/promises` → `fs`. */
function moduleOf(file: string): string | undefined {
  const match = /^node:(?:internal\/)?(?:deps\/)?([a-z_]+)/.exec(file);
  if (!match) return undefined;
  return match[1] === 'undici' ? 'fetch' : match[1];
}

function fileOf(site: NodeJS.CallSite): string {
  // Scripts named by a sourceURL (the cells) have no file name.
  return site.getFileName() || site.getScriptNameOrSourceURL() || '';
}

function sitesOf(origin: Origin): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, sites) => sites;
  try {
    const sites = origin.stack;
    return Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : [];
  } finally {
    Error.prepareStackTrace = saved;
  }
}

export interface LaneApi {
  kind: 'timer' | 'io';
  /** node's resource type (`Timeout`, `Immediate`, `FSREQCALLBACK`, …). */
  type: string;
  /** Timers: the delay in milliseconds. */
  delayMs?: number;
  /** Timers: made by setInterval. */
  repeats?: boolean;
}

/** The API's own name: `setTimeout 160 ms`, `setInterval 40 ms`, `setImmediate`, `fs.readFile`. */
function apiName(api: LaneApi, sites: readonly NodeJS.CallSite[], firstUser: number): string {
  if (api.type === 'Immediate') return 'setImmediate';
  if (api.kind === 'timer') return `${api.repeats ? 'setInterval' : 'setTimeout'} ${api.delayMs ?? 0} ms`;
  // The node function the user's code called is the frame just inside the innermost user frame.
  const called = firstUser > 0 ? sites[firstUser - 1] : undefined;
  const module = called ? moduleOf(fileOf(called)) : undefined;
  const name = called?.getFunctionName();
  if (module === 'fetch') return 'fetch';
  if (module && name) return `${module}.${name}`;
  return RESOURCE_NAMES[api.type] ?? api.type;
}

/** The lane's label, by the rules above; the API alone when no named user function made it. */
export function describeOrigin(origin: Origin, api: LaneApi, isUserFile: IsUserFile): string {
  const sites = sitesOf(origin);
  const firstUser = sites.findIndex((site) => isUserFile(fileOf(site)));
  const apiText = apiName(api, sites, firstUser);
  if (firstUser < 0) return apiText;
  const user = sites.slice(firstUser).filter((site) => isUserFile(fileOf(site)));
  const named = user.map((site) => site.getFunctionName()).filter((name): name is string => Boolean(name));
  const [inner, outer] = named;
  if (inner === undefined) return apiText;
  // A helper (`sleep`) reaches setTimeout through an anonymous function such as a promise
  // executor: it is named as a call, with its caller in front.
  const throughHelper = api.kind === 'timer' && !api.repeats && api.type === 'Timeout' && !user[0].getFunctionName();
  if (throughHelper) return `${outer ? `${outer} · ` : ''}${inner}(${api.delayMs ?? 0})`;
  return `${inner} · ${apiText}`;
}
