"""Protocol basics against one kernel: kernel_info, execute, counts, stop_on_error,
user_expressions, is_complete, history, comms, and the kernel's session id."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()


@check
def kernel_info_shell(c):
    return c.request("kernel_info_request", channel="shell")


@check
def kernel_info_control(c):
    return c.request("kernel_info_request", channel="control")


@check
def execute_one_plus_one(c):
    return c.execute("1 + 1")


@check
def execution_count(c):
    first = c.execute("let counted = 1")
    second = c.execute("counted += 1")
    silent = c.execute("counted += 100", silent=True)
    after_silent = c.execute("counted")
    unstored = c.execute("counted", store_history=False)
    after_unstored = c.execute("counted")
    return {
        "first": first,
        "second": second,
        "silent": silent,
        "after_silent": after_silent,
        "unstored": unstored,
        "after_unstored": after_unstored,
    }


def three_back_to_back(c, stop_on_error):
    # The first cell waits a moment before it throws, so the other two are surely queued in the
    # kernel by then: the check is about aborting the queue, not about a race with the client.
    ids = [
        c.send_execute('await new Promise((r) => setTimeout(r, 200)); throw new Error("first")', stop_on_error=stop_on_error),
        c.send_execute("globalThis.ran2 = true; 2"),
        c.send_execute("globalThis.ran3 = true; 3"),
    ]
    cells = [c.finish(msg_id, sent) for msg_id, sent in ids]
    return {"cells": cells, "after": c.execute("[globalThis.ran2 ?? false, globalThis.ran3 ?? false]")}


@check
def stop_on_error_aborts_queue(c):
    return three_back_to_back(c, stop_on_error=True)


@check
def stop_on_error_false_runs_queue(c):
    return three_back_to_back(c, stop_on_error=False)


@check
def user_expressions(c):
    return c.execute("const ue = 1", user_expressions={"a": "1+1", "b": "nope_undefined"})


@check
def is_complete(c):
    samples = {
        "open_brace": "const x = {",
        "open_template": "let s = `abc",
        "complete": "1 + 1",
        "bad_let": "let = ;",
        "stray_paren": ")",
    }
    return {name: c.request("is_complete_request", {"code": code})["reply"]["content"] for name, code in samples.items()}


@check
def history(c):
    cells = [c.execute(code) for code in ['const h1 = "first"', 'console.log("h2")', '"h3"']]

    def ask(**content):
        content = {"raw": True, "output": False, **content}
        return c.request("history_request", content)["reply"]["content"]

    counts = [cell["reply"]["content"]["execution_count"] for cell in cells]
    return {
        "cells": [{"count": n, "code": code} for n, code in zip(counts, ['const h1 = "first"', 'console.log("h2")', '"h3"'])],
        "tail": ask(hist_access_type="tail", n=2),
        "range": ask(hist_access_type="range", session=0, start=counts[0], stop=counts[2]),
        "search": ask(hist_access_type="search", pattern="*console*", n=10),
    }


@check
def comm_info(c):
    return c.request("comm_info_request", {})


@check
def comm_open_unknown_target(c):
    comm_id = "0123456789abcdef0123456789abcdef"
    # comm_open has no reply: the kernel answers on IOPub only.
    msg_id = c.send("comm_open", {"comm_id": comm_id, "target_name": "no.such.target", "data": {}})
    c.wait_idle(msg_id, 10)
    return {"comm_id": comm_id, "msg_id": msg_id, "iopub": c.for_parent(msg_id)}


@check
def kernel_sessions(c):
    """Every header the kernel sent so far (IOPub and replies), for the one-session check."""
    headers = [m["header"] for m in c.iopub] + [r["header"] for r in c.replies.values()]
    return {"sessions": sorted({h["session"] for h in headers}), "count": len(headers)}


if __name__ == "__main__":
    check.run()
