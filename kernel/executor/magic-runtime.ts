import { createTimeMagics } from './timing/time-magics';
import { MAGIC_RUNTIME, MagicUsageError, magicList } from '../common/magics';
import type { MagicSettings } from '../common/executor-messages';

const settings: MagicSettings = { timing: true, timeline: false };

/**
 * `__tempo`, what rewritten magic lines call. Not enumerable, so it stays out of the user's way.
 * `inherited` is the settings of the executor this one replaces, as JSON (from the command line).
 */
export function installMagicRuntime(inherited?: string): MagicSettings {
  if (inherited) {
    const parsed = JSON.parse(inherited) as Partial<MagicSettings>;
    for (const name of ['timing', 'timeline'] as const) {
      const value = parsed[name];
      if (typeof value === 'boolean') settings[name] = value;
    }
  }
  const time = createTimeMagics((text) => process.stdout.write(text));
  const runtime = {
    timeStart: () => time.timeStart(),
    timeEnd: <T>(value?: T) => time.timeEnd(value),
    timeit: (body: () => unknown, flags: string) => time.timeit(body, flags),
    magic: runSettingMagic,
  };
  Object.defineProperty(globalThis, MAGIC_RUNTIME, { value: runtime, enumerable: false });
  return settings;
}

function runSettingMagic(name: string, args: string): void {
  if (name === 'lsmagic') {
    process.stdout.write(magicList());
    return;
  }
  if (name !== 'timing' && name !== 'timeline') throw new MagicUsageError(`unknown magic %${name}`);
  if (args !== 'on' && args !== 'off') throw new MagicUsageError(`%${name} takes on or off, not ${JSON.stringify(args)}`);
  settings[name] = args === 'on';
}

