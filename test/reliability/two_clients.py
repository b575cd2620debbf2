"""Two jupyter_client BlockingKernelClients on one kernel (a notebook and a console), plus a raw
IOPub subscriber that connects and never reads. Argv: CONNECTION_FILE KERNEL_PID CELLS.
Prints one JSON object of observations on its last line; the node test asserts on them."""

import json
import queue
import sys
import time

import zmq
from jupyter_client import BlockingKernelClient

connection_file, kernel_pid, cells = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PAYLOAD = 2000  # characters printed per cell
WARM = 200  # cells before the first RSS reading


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def client():
    kc = BlockingKernelClient(connection_file=connection_file)
    kc.load_connection_file()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    return kc


def drain_iopub(kc, into, until, timeout):
    """Reads IOPub into `into` until until() is true or `timeout` seconds pass with nothing new."""
    while not until():
        try:
            msg = kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return False
        into.append(msg)
    return True


out = {}
notebook, console = client(), client()

# The stalled subscriber: tiny queues, subscribed to everything, never read.
stalled = zmq.Context.instance().socket(zmq.SUB)
stalled.setsockopt(zmq.RCVHWM, 1)
stalled.setsockopt(zmq.RCVBUF, 4096)
stalled.setsockopt(zmq.SUBSCRIBE, b"")
stalled.linger = 0
stalled.connect(f"tcp://{notebook.ip}:{notebook.iopub_port}")

# Each client's own request: the reply comes back to the sender only.
# This test is about IOPub, not types.
# A checked cell first: it waits until the TypeScript checker has loaded, so its memory is in
# the baseline rather than counted as growth. Then checks go off, as in the soak.
notebook.execute_interactive("const warm: number = 1", timeout=60, output_hook=lambda m: None)
notebook.execute_interactive("%types off", timeout=30, output_hook=lambda m: None)
a = notebook.execute("(globalThis as any).owner = 'notebook'; 'from notebook'")
b = console.execute("'from console'")
ra = notebook.get_shell_msg(timeout=10)
rb = console.get_shell_msg(timeout=10)
out["notebook_reply_parent_is_own"] = ra["parent_header"]["msg_id"] == a
out["console_reply_parent_is_own"] = rb["parent_header"]["msg_id"] == b
# A stray reply (the other client's, or a second one) would reach a client before the reply to a
# request it sends now: the kernel answers in order, on one connection per client.
extra = []
for kc in (notebook, console):
    marker = kc.kernel_info()
    while (reply := kc.get_shell_msg(timeout=10))["parent_header"]["msg_id"] != marker:
        extra.append(reply["parent_header"]["msg_id"])
out["stray_replies"] = extra

# IOPub reaches both: each sees both cells' execute_input and idle.
seen = {"notebook": [], "console": []}
for name, kc in (("notebook", notebook), ("console", console)):
    idle_for = lambda msgs: {m["parent_header"].get("msg_id") for m in msgs if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"}
    drain_iopub(kc, seen[name], lambda: {a, b} <= idle_for(seen[name]), 10)
    out[f"{name}_saw_inputs_of"] = sorted(
        "notebook" if m["parent_header"]["msg_id"] == a else "console"
        for m in seen[name]
        if m["msg_type"] == "execute_input" and m["parent_header"].get("msg_id") in (a, b)
    )

# Many cells of output with the stalled subscriber attached: both readers get every message.
started = time.monotonic()
sent = []
WINDOW = 50
logs = {"notebook": [], "console": []}
replies = 0
for i in range(cells):
    # Measured after a warm-up: the kernel loads its TypeScript checker in the background at start.
    if i == WARM:
        out["rss_before_kb"] = rss_kb(kernel_pid)
    sent.append(notebook.execute(f"console.log('cell {i} ' + 'o'.repeat({PAYLOAD}))", store_history=False))
    # Keep a bounded number in flight, so the kernel's queue is not what is being measured.
    if len(sent) - replies >= WINDOW:
        notebook.get_shell_msg(timeout=30)
        replies += 1
    # Both readers keep up as they go.
    for name, kc in (("notebook", notebook), ("console", console)):
        while True:
            try:
                logs[name].append(kc.get_iopub_msg(timeout=0))
            except queue.Empty:
                break
while replies < len(sent):
    notebook.get_shell_msg(timeout=30)
    replies += 1
last = sent[-1]
for name, kc in (("notebook", notebook), ("console", console)):
    done = lambda: any(m["parent_header"].get("msg_id") == last and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" for m in logs[name])
    out[f"{name}_reached_last_idle"] = drain_iopub(kc, logs[name], done, 30)
    ids = set(sent)
    texts = [m["content"]["text"] for m in logs[name] if m["msg_type"] == "stream" and m["parent_header"].get("msg_id") in ids]
    lines = "".join(texts).splitlines()
    out[f"{name}_lines"] = len(lines)
    out[f"{name}_lines_in_order"] = lines == [f"cell {i} " + "o" * PAYLOAD for i in range(cells)]
    out[f"{name}_idles"] = len([m for m in logs[name] if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" and m["parent_header"].get("msg_id") in ids])
out["seconds"] = time.monotonic() - started
out["rss_after_kb"] = rss_kb(kernel_pid)
out["total_messages_per_reader"] = len(logs["notebook"])

# What the stalled subscriber holds: bounded by its queues, so far less than what was published.
held = 0
while stalled.poll(0):
    stalled.recv_multipart()
    held += 1
out["stalled_held_messages"] = held

# Both still work, and the kernel still runs cells for either.
r = notebook.execute_interactive("(globalThis as any).owner", timeout=10, output_hook=lambda m: None)
out["after_status"] = r["content"]["status"]
stalled.close()
notebook.stop_channels()
console.stop_channels()
print()
print(json.dumps(out))
