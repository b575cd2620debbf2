"""Type checks before a cell runs, completion and inspection from the TypeScript checker, against one kernel."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks, run_in_notebook_folder  # noqa: E402

check = Checks()


def timed(c, code, timeout=30):
    started = time.monotonic()
    run = c.execute(code, timeout=timeout)
    run["seconds"] = time.monotonic() - started
    return run


def complete(c, code, cursor=None):
    started = time.monotonic()
    got = c.request("complete_request", {"code": code, "cursor_pos": len(code) if cursor is None else cursor})
    got["seconds"] = time.monotonic() - started
    return got


def inspect(c, code, cursor=None):
    return c.request("inspect_request", {"code": code, "cursor_pos": len(code) if cursor is None else cursor, "detail_level": 0})


@check
def first_cell(c):
    # Right after kernel start: the checker may still be loading, and this cell waits for it.
    return timed(c, 'const greeting: string = "hi";\ngreeting.length')


@check
def type_error(c):
    bad = timed(c, 'const n: number = 1;\nconst s: string = n;\nconsole.log("ran")')
    after = c.value("typeof s")
    return {"bad": bad, "after": after}


@check
def earlier_names(c):
    return {
        "declare": c.execute("/** Doubles a number.\n * @param x what to double */\nfunction double(x: number): number { return x * 2 }\nconst point = { x: 1, label: 'p' };"),
        "ok": c.execute("const four: number = double(2);\nfour"),
        "wrong": c.execute("const bad: string = double(2);"),
    }


@check
def redeclare(c):
    return {
        "first": c.execute("const v: number = 1;"),
        "rerun": c.execute('const v: string = "text";'),
        "new_type": c.execute("const w: string = v;\nw"),
        "old_type": c.execute("const u: number = v;"),
    }


@check
def failed_cell_names(c):
    # The error comes after the declaration: the name exists, as a failed cell's assignments do in IPython.
    return {
        "failed": c.execute('const kept: number = 41;\nthrow new Error("after kept")'),
        "later": c.execute("kept + 1"),
    }


@check
def ignore_comments(c):
    return {
        "ignore": c.execute('// @ts-ignore\nconst a: number = "x";\n1'),
        "expect": c.execute('// @ts-expect-error\nconst b: number = "x";\n2'),
        "unused_expect": c.execute("// @ts-expect-error\nconst ok: number = 1;"),
    }


@check
def modes(c):
    return {
        "warn": c.execute('%types warn\nconst m: number = "not a number";\nconsole.log("ran anyway")'),
        "query": c.execute("%types"),
        "off": c.execute('%types off\nconst o: number = "unchecked";\n"ran"'),
        "error": c.execute('%types error\nconst e: number = "checked";'),
        "invalid": c.execute("%types loud"),
        "magic_lines": c.execute("%timing off\nconst t: number = 3;\n%time const t2: number = t\nt2"),
    }


@check
def stop_on_error(c):
    # A cell that waits first, so the other two are surely queued when the type error comes (the
    # check itself takes milliseconds): the point is aborting the queue, not a race with the client.
    waits = c.send_execute("await new Promise((r) => setTimeout(r, 200));")
    first = c.send_execute('const stop: number = "x";')
    second = c.send_execute("'never runs'")
    c.finish(*waits)
    return {"first": c.finish(*first), "second": c.finish(*second)}


@check
def completion(c):
    c.execute("const settings = { verbose: true, level: 3 };")
    c.execute("const unrelated = 1;")
    c.execute('import { readFileSync } from "node:fs";\nimport * as nodePath from "node:path";')
    return {
        "math": complete(c, "Math.fl"),
        "member": complete(c, "settings.ve"),
        "korean": complete(c, 'const 인사 = "안녕하세요";\nsettings.le'),
        "emoji": complete(c, 'const face = "😀😀";\nsettings.le'),
        "middle": complete(c, "settings.le + 1", len("settings.le")),
        "import_named": complete(c, "readFileS"),
        "import_namespace": complete(c, "nodePath.jo"),
        "local": complete(c, "const localName = 1;\nlocalN"),
        # While typing, a cell rarely parses: an open call, an `if` without its body, an
        # unfinished function, a template.
        "local_in_call": complete(c, "const localName = 1;\nconsole.log(localN"),
        "local_in_if": complete(c, "const localName = 1;\nif (localN"),
        "param_in_body": complete(c, "function f(param: number) {\n  const inner = 2;\n  return param + inn"),
        "local_in_template": complete(c, "const localName = 1;\nconsole.log(`${'{'} ${localN"),
        "global_type": complete(c, "const table: Recor"),
        "value_not_type": complete(c, "const table = Recor"),
        "object_value": complete(c, "const timers = { start: setTimeo"),
    }


@check
def typed_package(c):
    """A package with its own .d.ts next to the notebook: its types check cells and drive completion."""
    c.execute('import { greet } from "typed-pkg";\nimport * as pkg from "typed-pkg";')
    return {
        "call": c.execute('greet("Ada")'),
        "wrong_argument": c.execute("greet(42)"),
        "member": complete(c, "pkg.gre"),
        "named": complete(c, 'import { VER } from "typed-pkg";', len('import { VER')),
        "inspect": inspect(c, "greet", 3),
    }


@check
def nearby_files(c):
    """Type imports of .ts files beside the notebook and in its parent folder, of packages in the
    parent folder's node_modules (one scoped, with an exports map, and one typed by @types), and
    of a subpath import of the notebook folder's package.json."""
    return {
        "relative": c.execute('import type { Circle } from "./shapes";\nimport type { Box } from "../shared/box";\nconst unit: Circle = { kind: "circle", radius: 1 };\nconst box: Box = { width: 2 };\nunit.radius + box.width'),
        "relative_later": c.execute('const square: Circle = { kind: "square", radius: 1 };'),
        "scoped": c.execute('import { shout } from "@nearby/shout";\nshout("hi")'),
        "scoped_later": c.execute("shout(1)"),
        "types_package": c.execute('import { twice } from "plain-pkg";\ntwice(21)'),
        "types_package_later": c.execute('twice("x")'),
        "member": complete(c, 'import * as loud from "@nearby/shout";\nloud.sh'),
        "subpath": c.execute('import type { Point } from "#geometry";\nconst origin: Point = { x: 0, y: 0 };\norigin.x'),
        "subpath_later": c.execute('const p: Point = { x: "1", y: 1 };'),
    }


@check
def inspection(c):
    return {
        "floor": inspect(c, "Math.floor"),
        "floor_call": inspect(c, "Math.floor("),
        "user": inspect(c, "double(3)", 3),
        "nothing": inspect(c, "   "),
    }


@check
def warm_cells(c):
    """20 typed cells, then the round trip of a small typed cell and of a trivial one, and completion."""
    for i in range(20):
        c.execute(f"const value{i}: number = {i};\nfunction add{i}(a: number): number {{ return a + value{i} }}")
    typed = [timed(c, "const sum: number = add19(value3);")["seconds"] for _ in range(9)]
    trivial = [timed(c, "1")["seconds"] for _ in range(9)]
    c.execute("%types off")
    unchecked = [timed(c, "1")["seconds"] for _ in range(9)]
    c.execute("%types error")
    completions = [complete(c, "Math.fl")["seconds"] for _ in range(9)]
    return {"typed": typed, "trivial": trivial, "unchecked": unchecked, "completion": completions, "rss_kb": kernel_rss(c)}


def kernel_rss(c):
    """Resident memory of the kernel process (its checker thread included) and of its executor child."""
    pid = c.km.provisioner.process.pid
    out = {"kernel": rss(pid)}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out["executor"] = rss(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


if __name__ == "__main__":
    run_in_notebook_folder(check, {
        "typed-pkg/package.json": {"name": "typed-pkg", "version": "1.0.0", "main": "index.js", "types": "index.d.ts"},
        "typed-pkg/index.js": "exports.greet = (name) => `Hello, ${name}!`;\nexports.VERSION = '1.0.0';\n",
        "typed-pkg/index.d.ts": "/** Says hello to `name`. */\nexport declare function greet(name: string): string;\nexport declare const VERSION: string;\n",
    }, {
        "shapes.ts": "export interface Circle { kind: 'circle'; radius: number }\n",
        "package.json": {"name": "notebook", "private": True, "imports": {"#geometry": "./geometry/index.ts"}},
        "geometry/index.ts": "export interface Point { x: number; y: number }\n",
        "../shared/box.ts": "export interface Box { width: number }\n",
        "../node_modules/@nearby/shout/package.json": {"name": "@nearby/shout", "version": "1.0.0", "exports": {".": {"types": "./lib/index.d.ts", "default": "./lib/index.js"}}},
        "../node_modules/@nearby/shout/lib/index.js": "exports.shout = (text) => `${text.toUpperCase()}!`;\n",
        "../node_modules/@nearby/shout/lib/index.d.ts": "export declare function shout(text: string): string;\n",
        "../node_modules/plain-pkg/package.json": {"name": "plain-pkg", "version": "1.0.0", "main": "index.js"},
        "../node_modules/plain-pkg/index.js": "exports.twice = (n) => n * 2;\n",
        "../node_modules/@types/plain-pkg/index.d.ts": "export declare function twice(n: number): number;\n",
    })
