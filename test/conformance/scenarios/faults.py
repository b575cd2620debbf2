"""Interrupts (message and signal mode), liveness while a cell spins, and faults in user code:
stack overflow, late throws, unhandled rejections, timer output, process.exit. Checks that keep
the executor's state run first; the ones that replace the executor run last."""

import os
import random
import signal
import sys
import time

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()
LOOP = 'console.log("running"); while (true) {}'
SPIN = "var t0 = Date.now(); while (Date.now() - t0 < %d) {}"


def start_cell(c, code):
    """Sends a cell that prints "running" before it loops or waits, and returns once that output
    arrived: from then on the cell is surely inside the code an interrupt has to stop."""
    msg_id, sent = c.send_execute(code)
    running = c.wait_iopub(
        lambda m: m["msg_type"] == "stream" and "running" in m["content"]["text"] and m["parent_header"].get("msg_id") == msg_id, 10
    )
    if running is None:
        raise TimeoutError(f"cell {code!r} did not start")
    return msg_id, sent


def interrupt_and_time(c, msg_id, sent, interrupt, timeout=15):
    """Interrupts with `interrupt()` and times the cell's reply from that moment."""
    t0 = time.monotonic()
    interrupt()
    run = c.finish(msg_id, sent, timeout)
    run["reply_after_interrupt"] = run["reply"]["t"] - t0
    return run


def failures(replies):
    """'ename: evalue' of each execute_reply content that is not ok."""
    return [f"{r['ename']}: {r['evalue']}" for r in replies if r["status"] != "ok"]


def interrupted(c, code, interrupt, timeout=15):
    """start_cell, then interrupt_and_time."""
    msg_id, sent = start_cell(c, code)
    return interrupt_and_time(c, msg_id, sent, interrupt, timeout)


@check
def define_state(c):
    return c.execute("let keep = 42")


@check
def liveness_during_busy_loop(c):
    msg_id, sent = start_cell(c, LOOP)
    # Heartbeat, pinged by hand on a fresh REQ socket so the round trip is measured directly.
    hb = c.raw_socket("hb", zmq.REQ)
    t0 = time.monotonic()
    hb.send(b"ping")
    hb_echo = hb.recv() if hb.poll(2000) else None
    hb_seconds = time.monotonic() - t0
    hb.close()
    t1 = time.monotonic()
    control = c.request("kernel_info_request", channel="control", timeout=5)
    control_seconds = control["reply"]["t"] - t1
    # Two beats of jupyter_client's own heartbeat thread: the second one's ping went out after the
    # first was judged, so wholly inside the loop.
    heartbeats = c.heartbeats(2, timeout=10)
    run = interrupt_and_time(c, msg_id, sent, c.km.interrupt_kernel)
    return {
        "hb_echo": hb_echo.decode() if hb_echo else None,
        "hb_seconds": hb_seconds,
        "control_status": control["reply"]["content"]["status"],
        "control_seconds": control_seconds,
        "control_iopub": [m["content"].get("execution_state") for m in control["iopub"]],
        "heartbeats": heartbeats,
        "loop": run,
        "keep": c.value("keep"),
    }


@check
def interrupt_pending_await(c):
    run = interrupted(c, 'console.log("running"); await new Promise(() => {})', c.km.interrupt_kernel)
    return {"run": run, "keep": c.value("keep")}


@check
def interrupt_by_signal(c):
    # What interrupt_mode "signal" would do: SIGINT to the kernel's process group.
    run = interrupted(c, LOOP, lambda: c.km.signal_kernel(signal.SIGINT))
    return {"run": run, "keep": c.value("keep")}


@check
def stack_overflow(c):
    return {"run": c.execute("function f(): number { return f() } f()"), "keep": c.value("keep")}


@check
def interrupt_as_cell_ends(c):
    # An interrupt that lands just as its cell ends may stop that cell or nothing, but never a
    # later cell or the executor (node's SIGINT watchdog kept such a signal for the next cell).
    # The moment is random around the end of a short busy cell, many times over; the next cell
    # goes only after interrupt_reply, so the kernel surely took the interrupt before it.
    rng = random.Random(7)
    c.execute("let survivor = 1")
    victims, later = [], []
    for _ in range(40):
        msg_id, sent = c.send_execute(SPIN % 6)
        time.sleep(rng.uniform(0, 0.012))  # the random moment is the subject, not a wait
        c.request("interrupt_request", channel="control")
        victims.append(c.finish(msg_id, sent)["reply"]["content"])
        later.append(c.execute(SPIN % 20)["reply"]["content"])
    return {"victim_errors": failures(victims), "later_errors": failures(later), "survivor": c.value("survivor")}


@check
def late_throw_in_timer(c):
    first = c.execute('setTimeout(() => { throw new Error("late") }, 50); 1')
    second = c.execute("await new Promise((r) => setTimeout(r, 300))")
    # Search everything IOPub carried, not only what matched a parent.
    late = [m for m in c.iopub if m["msg_type"] == "error" and m["content"]["evalue"] == "late"]
    return {"first": first, "second": second, "late_errors": late, "keep": c.value("keep")}


@check
def unhandled_rejection(c):
    run = c.execute_or_interrupt('Promise.reject(new Error("nobody"))', timeout=5)
    reported = c.wait_iopub(lambda m: m["msg_type"] == "error" and m["content"]["evalue"] == "nobody", 3)
    return {"run": run, "reported": reported, "after": c.execute("1 + 1"), "keep": c.value("keep")}


@check
def timer_output_keeps_its_cell(c):
    first = c.execute('setTimeout(() => console.log("from A"), 300); "A"')
    second = c.execute('await new Promise((r) => setTimeout(r, 800)); "B"')
    streams = [m for m in c.iopub if m["msg_type"] == "stream" and "from A" in m["content"]["text"]]
    return {"first": first, "second": second, "streams": streams}


@check
def interrupt_while_compiling(c):
    # A cell big enough that compiling it takes a while: the interrupt is sent as soon as
    # execute_input arrives, so it reaches the executor before the loop has started.
    c.execute("let early = 1")
    msg_id, sent = c.send_execute("const pad = [" + "1," * 300000 + "];\nwhile (true) {}")
    c.wait_iopub(lambda m: m["msg_type"] == "execute_input" and m["parent_header"].get("msg_id") == msg_id, 10)
    run = interrupt_and_time(c, msg_id, sent, c.km.interrupt_kernel)
    return {"run": run, "early_type": c.value("typeof early")}


@check
def stray_sigint_between_cells(c):
    # A SIGINT that reaches the executor while none of its cells' code runs (sent here by a timer
    # of the cell itself): it is dropped, and the executor carries on with its state.
    scheduled = c.execute("setTimeout(() => { process.kill(process.pid, 'SIGINT'); setTimeout(() => console.log('after the SIGINT'), 20); }, 50); 'scheduled'")
    # The executor printing after the signal is what shows it carried on.
    printed = c.wait_iopub(lambda m: m["msg_type"] == "stream" and "after the SIGINT" in m["content"]["text"], timeout=10)
    # A cell in REPL mode (a declaration) whose value is an object: the inspector still hands it back.
    repl = c.execute("const afterSignal = { ok: true };\nafterSignal")
    return {"scheduled": scheduled, "printed_after_signal": printed is not None, "keep": c.value("keep"), "repl": repl}


@check
def process_exit(c):
    c.execute("%timing off")
    c.execute("let beforeExit = 'kept'")
    run = c.execute_or_interrupt("console.log('before');\nprocess.exit(3);\nconsole.log('after');", timeout=10)
    later = c.execute("beforeExit")
    # From a timer, after its cell has ended: reported under that cell, as any late throw.
    timer = c.execute("setTimeout(() => process.exit(), 20); 'scheduled'")
    late = c.wait_iopub(lambda m: m["msg_type"] == "error" and m["parent_header"].get("msg_id") == timer["msg_id"], timeout=10)
    after = c.execute("1 + 1")
    c.execute("%timing on")
    return {"run": run, "later": later, "late": late, "after": after, "keep": c.value("keep")}


@check
def really_exit(c):
    # What a cell can still end: the executor restarts, with the notice.
    c.execute("%timing off")
    # Three megabytes just before: more than the executor has sent by the time it ends, unless it waits.
    run = c.execute_or_interrupt("console.log('x'.repeat(3_000_000));\nconsole.log('last words');\n(process as any).reallyExit(5)", timeout=20)
    after = c.execute("1 + 1")
    c.execute("%timing on")
    return {"run": run, "after": after, "keep_type": c.value("typeof keep")}


@check
def uninterruptible_loop(c):
    # A loop entered after an await runs outside the interruptible entry: the kernel must replace
    # the executor rather than hang.
    c.execute("let before = 1")
    run = interrupted(c, 'await null; console.log("running"); while (true) {}', c.km.interrupt_kernel, timeout=20)
    return {"run": run, "after": c.execute("1 + 1"), "before_type": c.value("typeof before")}


if __name__ == "__main__":
    check.run()
