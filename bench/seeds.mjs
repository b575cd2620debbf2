// The seed notebook's three examples (notebooks/01-async-basics.ipynb) in each peer's language,
// with JOB_MS jobs instead of 1 s to keep runs short: they measure the same thing.
export const JOB_MS = 200;

const TS_SETUP = `const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
function blockingSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function job(n: number): void {
  console.log(\`Starting job \${n}\`);
  blockingSleep(${JOB_MS});
  console.log(\`Finishing job \${n}\`);
}
async function asyncJob(n: number): Promise<number> {
  console.log(\`Starting job \${n}\`);
  await sleep(${JOB_MS});
  console.log(\`Finishing job \${n}\`);
  return n;
}`;

// The same functions for a JavaScript-only kernel (jslab): the annotations stripped.
const JS_SETUP = TS_SETUP.replaceAll(/: (?:number|void|Promise<number>)/g, '').replace('Promise<void>', 'Promise');

const JS_EXAMPLES = {
  blocking: 'for (let i = 0; i < 5; i++) job(i);',
  sequential: 'for (let i = 0; i < 5; i++) await asyncJob(i);',
  concurrent: 'await Promise.all([0, 1, 2, 3, 4].map(asyncJob));',
};

const PY_SETUP = `import asyncio
import time

def job(n):
    print(f"Starting job {n}")
    time.sleep(${JOB_MS / 1000})
    print(f"Finishing job {n}")

async def async_job(n):
    print(f"Starting job {n}")
    await asyncio.sleep(${JOB_MS / 1000})
    print(f"Finishing job {n}")
    return n`;

/** What each example should take: five jobs one after another, or five at once. */
export const EXPECTED_MS = { blocking: 5 * JOB_MS, sequential: 5 * JOB_MS, concurrent: JOB_MS };

/** { setup, examples: { blocking, sequential, concurrent } } for 'typescript', 'javascript' or 'python'. */
export const SEEDS = {
  typescript: { setup: TS_SETUP, examples: JS_EXAMPLES },
  javascript: { setup: JS_SETUP, examples: JS_EXAMPLES },
  python: {
    setup: PY_SETUP,
    examples: {
      blocking: 'for i in range(5):\n    job(i)',
      sequential: 'for i in range(5):\n    await async_job(i)',
      concurrent: 'await asyncio.gather(*(async_job(i) for i in range(5)))',
    },
  },
};
