"""Kernel lifecycle: the ipc transport, shutdown_request, and restart. Each check starts its own kernel."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks, Client  # noqa: E402

check = Checks()


@check
def ipc_transport():
    c = Client(transport="ipc")
    try:
        with open(c.km.connection_file) as f:
            transport = json.load(f)["transport"]
        return {"transport": transport, "run": c.execute("1 + 1")}
    finally:
        c.close()


@check
def shutdown_request():
    c = Client()
    try:
        msg_id = c.send("shutdown_request", {"restart": False}, channel="control")
        reply = c.reply(msg_id, 10, channel="control")
        t0 = time.monotonic()
        process = c.km.provisioner.process
        exit_code = process.wait(timeout=10)
        return {"reply": reply, "exit_code": exit_code, "exit_seconds": time.monotonic() - t0}
    finally:
        c.close()


@check
def restart():
    c = Client()
    try:
        before = [c.execute("let r = 1"), c.execute("r += 1")]
        pid_before = c.km.provisioner.pid
        c.km.restart_kernel(now=False)
        c.kc.wait_for_ready(timeout=30)
        after = c.execute("typeof r")
        return {"before": before, "after": after, "pid_changed": c.km.provisioner.pid != pid_before}
    finally:
        c.close()


if __name__ == "__main__":
    check.run(client_factory=None)
