"""Shutdown and restart 20 times through jupyter_client (KernelManager.restart_kernel), then a
final shutdown. Argv: ROUNDS. Records every kernel pid and its executor pids while alive, the
connection file's mode and ports; prints one JSON object of observations on its last line."""

import json
import os
import stat
import sys

from jupyter_client.manager import KernelManager

rounds = int(sys.argv[1])


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
            if int(text[text.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry))
        except OSError:
            pass
    return found


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def value(kc, code):
    msg_id = kc.execute(code)
    text = None
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            text = msg["content"]["data"]["text/plain"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return text


out = {"kernels": [], "executors": [], "fresh_state": [], "sessions": []}
km = KernelManager(kernel_name="tempo")
km.start_kernel()
out["connection_file_mode"] = oct(stat.S_IMODE(os.stat(km.connection_file).st_mode))
out["ports"] = [km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port]
kc = km.client()
kc.start_channels()
for i in range(rounds + 1):
    kc.wait_for_ready(timeout=60)
    pid = km.provisioner.process.pid
    out["kernels"].append(pid)
    # The executor starts shortly after the kernel; a cell makes sure it is up.
    # %types off first: the type checker starts in each new kernel, and this test is about
    # processes, not types.
    out["fresh_state"].append(value(kc, "%types off\n(globalThis as any).mark ?? 'fresh'"))
    value(kc, f"(globalThis as any).mark = {i}")
    out["executors"].extend(p for p in children(pid) if "executor-process-main" in cmdline(p))
    if i < rounds:
        km.restart_kernel(now=False)
kc.stop_channels()
km.shutdown_kernel(now=False)
out["connection_file_left"] = os.path.exists(km.connection_file)
print()
print(json.dumps(out))
