"""Issue 16 through Debian's jupyter_client: what the timing line and %%timeline say about cells
whose truth is known (late timers, one blocked figure, lanes named by origin, honest pending)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()
SETUP = (
    "const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));\n"
    "const blockingSleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);"
)
# The tutorial's "rude job": two polite timers due at 500 ms cannot run before the rude job lets go at ~900 ms.
RUDE = """%%timeline
async function politeJob(n: number): Promise<void> {
  await sleep(500);
  console.log(`polite job ${n} done`);
}
async function rudeJob(): Promise<void> {
  await sleep(100);
  blockingSleep(800);
  console.log("rude job done");
}
await Promise.all([politeJob(1), rudeJob(), politeJob(2)]);"""
CONCURRENT = """%%timeline
async function asyncJob(n: number): Promise<number> {
  await sleep(300);
  return n;
}
await Promise.all([0, 1, 2, 3, 4].map(asyncJob));"""
INTERVAL = """%%timeline
const id = setInterval(() => console.log("tick"), 40);
await sleep(130);
clearInterval(id);"""


@check
def truths(c):
    c.execute(SETUP)
    return {
        "rude": c.execute(RUDE, timeout=20),
        "concurrent": c.execute(CONCURRENT, timeout=20),
        "interval": c.execute(INTERVAL, timeout=20),
        "forgotten": c.execute("sleep(400); 1"),
        "declares": c.execute("function unused(): number { return 1 }"),
    }


@check
def stopped_cells(c):
    """Cells that did not end normally are timed too: interrupted (the executor lives on), and
    killed (the executor restarts, so only the kernel's clock is left)."""
    interrupted = c.execute_or_interrupt("%%timeline\nlet spins = 0;\nwhile (true) { spins++ }", timeout=1.5)
    killed = c.execute("process.kill(process.pid, 'SIGKILL')", timeout=20)
    return {"interrupted": interrupted, "killed": killed}


if __name__ == "__main__":
    check.run()
