"""The timing line under every cell, the %time family with await, and %%timeline, against one kernel."""

import base64
import os
import re
import sys
import xml.dom.minidom

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()
JOB_MS = 300
SETUP = (
    "const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));\n"
    "const blockingSleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);"
)
BLOCKING = f"for (let i = 0; i < 5; i++) {{ console.log('Starting', i); blockingSleep({JOB_MS}); console.log('Finishing', i) }}"
SEQUENTIAL = f"for (let i = 0; i < 5; i++) {{ await sleep({JOB_MS}) }}"
CONCURRENT = f"await Promise.all([0, 1, 2, 3, 4].map(async (i) => {{ console.log('Starting job ' + i); await sleep({JOB_MS}); console.log('Finishing job ' + i) }}))"


@check
def seed_examples(c):
    c.execute(SETUP)
    return {"blocking": c.execute(BLOCKING), "sequential": c.execute(SEQUENTIAL), "concurrent": c.execute(CONCURRENT)}


@check
def forgotten_await(c):
    return c.execute("sleep(400); 1")


@check
def error_cell(c):
    return c.execute("throw new Error('no timing here')")


@check
def timing_switch(c):
    return {"off": c.execute("%timing off"), "quiet": c.execute("1 + 1"), "on": c.execute("%timing on"), "back": c.execute("2 + 2")}


@check
def time_magics(c):
    return {
        "time_await": c.execute("%time await sleep(100)"),
        "time_expression": c.execute("%time 6 * 7"),
        "cell_time": c.execute("%%time\nawait sleep(50)\n'done'"),
        "timeit_line": c.execute("%timeit -n 100 -r 3 Math.sqrt(2)"),
        "timeit_cell_await": c.execute("%%timeit -n 2 -r 2\nawait sleep(20)", timeout=20),
        "timeit_result": c.value("%timeit -o -q -n 5 -r 2 Math.sqrt(2)"),
        "lsmagic": c.execute("%lsmagic"),
        "unknown": c.execute("%nosuchmagic 1"),
        "modulo_stays_code": c.value("const m = 7\nm\n%4"),
    }


@check
def timelines(c):
    runs = {"concurrent": c.execute("%%timeline\n" + CONCURRENT), "blocking": c.execute("%%timeline\n" + BLOCKING)}
    for run in runs.values():
        for msg in run["iopub"]:
            html = msg["content"].get("data", {}).get("text/html", "") if msg["msg_type"] == "display_data" else ""
            image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
            if image:
                svg = base64.b64decode(image.group(1)).decode()
                xml.dom.minidom.parseString(svg)  # raises if not well-formed
                run["svg"] = svg
    return runs


if __name__ == "__main__":
    check.run()
