"""TypeScript, modules, streams and error reporting, against one kernel whose working directory
holds a CommonJS and an ESM package (as node_modules next to a notebook would)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks, run_in_notebook_folder  # noqa: E402

check = Checks()
FLOOD_DEADLINE = 30


def cells(c, *codes):
    return [c.execute(code) for code in codes]


@check
def typescript_features(c):
    return c.execute(
        "interface Point { x: number; y: number }\n"
        "enum Color { Red, Green = 5 }\n"
        "function first<T>(items: T[]): T | undefined { return items[0] }\n"
        "class Box<T> { constructor(private value: T) {} get(): T { return this.value } }\n"
        "const p: Point = { x: 1, y: 2 };\n"
        '[first<number>([7, 8]), new Box<string>("boxed").get(), Color.Green, Color[5], p.x + p.y]'
    )


@check
def redeclaration(c):
    """A rerun cell declares its names again; each kind must take the new value."""
    return {
        "const": cells(c, "const x = 1", "const x = 2; x"),
        "let": cells(c, "let y = 1", "let y = 2; y"),
        "class": cells(c, "class K { v() { return 1 } }", "class K { v() { return 2 } }; new K().v()"),
        "function": cells(c, "function g() { return 1 }", "function g() { return 2 }; g()"),
    }


@check
def top_level_await(c):
    return c.execute("await new Promise(r => setTimeout(r, 100)); 5")


@check
def node_builtins(c):
    return {
        "default_import": cells(c, 'import fs from "node:fs"', "fs.existsSync('/')"),
        "namespace_import": c.execute("import * as path from 'node:path'; path.join('a', 'b')"),
    }


@check
def packages(c):
    return {
        "cjs_import": c.execute('import cjs from "cjs-pkg"; cjs.name'),
        "esm_import": c.execute('import { hello } from "esm-pkg"; hello()'),
        "cjs_require": c.execute('require("cjs-pkg").add(2, 3)'),
    }


@check
def streams(c):
    return c.execute('console.log("out"); console.error("err"); process.stdout.write("raw\\n")')


@check
def empty_writes(c):
    # execSync writes its child's stderr, empty or not: nothing written must show nothing.
    return c.execute('process.stdout.write(""); process.stderr.write(Buffer.alloc(0)); require("node:child_process").execSync("true"); 1')


@check
def blocking_output_is_live(c):
    # The seed notebook's example: output printed before the thread blocks must arrive then.
    return c.execute(
        "for (let i = 0; i < 3; i++) { console.log('Starting job ' + i); "
        "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); "
        "console.log('Finishing job ' + i) }",
        timeout=15,
    )


@check
def throw_error(c):
    return c.execute('throw new Error("boom")')


@check
def error_line_in_typescript(c):
    # Type-only lines vanish from the JavaScript, so the call on TS line 9 is not JS line 9.
    return c.execute(
        "function explode(label: string): never {\n"
        "  const detail: { label: string } = { label };\n"
        '  throw new Error("exploded " + detail.label);\n'
        "}\n"
        "interface Unused {\n"
        "  a: number;\n"
        "}\n"
        "type Alias = string;\n"
        'explode("x" as Alias);'
    )


@check
def syntax_error(c):
    return c.execute("const fine = 1;\nlet = ;")


@check
def runs_after_errors(c):
    return c.execute("1 + 1")


@check
def display_flood(c):
    # 20,000 messages in a burst: far past ZeroMQ's default queue of 1,000, where IOPub drops.
    run = c.execute("for (let i = 0; i < 20000; i++) display(i)", timeout=FLOOD_DEADLINE)
    shown = [m["content"]["data"]["text/plain"] for m in run["iopub"] if m["msg_type"] == "display_data"]
    return {"reply": run["reply"], "count": len(shown), "in_order": shown[:20000] == [str(i) for i in range(20000)]}


@check
def stdout_flood(c):
    # Last on purpose: if it overruns its deadline the kernel is still busy printing, and the
    # observations so far are still worth reporting.
    msg_id, sent = c.send_execute("for (let i = 0; i < 100000; i++) console.log(i)")
    try:
        run = c.finish(msg_id, sent, timeout=FLOOD_DEADLINE)
        timed_out = False
    except TimeoutError:
        run = {"reply": None, "iopub": c.for_parent(msg_id)}
        timed_out = True
    streams = [m for m in run["iopub"] if m["msg_type"] == "stream"]
    # Output that arrives after the cell's idle is output the kernel did not flush in time. No
    # event says nothing more will come: watch IOPub for a second, 50 of the stream batcher's
    # 20 ms flush intervals.
    idle_count = len(c.for_parent(msg_id))
    c.drain_iopub(1.0)
    late = [m for m in c.for_parent(msg_id)[idle_count:] if m["msg_type"] == "stream"]
    # The text is large: send it once, joined, rather than message by message.
    return {
        "timed_out": timed_out,
        "deadline": FLOOD_DEADLINE,
        "reply": run["reply"],
        "late_stream_messages": len(late),
        "stream_messages": len(streams),
        "names": sorted({m["content"]["name"] for m in streams}),
        "text": "".join(m["content"]["text"] for m in streams),
        "seconds": (streams[-1]["t"] - sent) if streams else None,
    }


if __name__ == "__main__":
    # node_modules/cjs-pkg (CommonJS) and esm-pkg (ESM, import-only exports).
    run_in_notebook_folder(check, {
        "cjs-pkg/package.json": {"name": "cjs-pkg", "version": "1.0.0", "main": "index.js"},
        "cjs-pkg/index.js": "module.exports = { name: 'cjs', add: (a, b) => a + b };\n",
        "esm-pkg/package.json": {"name": "esm-pkg", "version": "1.0.0", "type": "module", "exports": {".": {"import": "./index.js"}}},
        "esm-pkg/index.js": "export function hello() { return 'hello from esm'; }\n",
    })
