"""Shared client code for Tempo's conformance scenarios (test/conformance/scenarios/*.py).

A scenario starts the kernel through Debian's jupyter_client, runs named checks that each return
plain observations (messages, replies, timings), and prints them as one JSON object on its last
stdout line. The node tests assert on that object, so every expectation lives in the .test.mjs.
"""

import base64
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
import traceback

import jupyter_client.session
import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

# Keep header dates as the strings the kernel sent: the tests check the wire format itself, and
# jupyter_client would otherwise quietly assume a timezone for a date that lacks one.
jupyter_client.session.extract_dates = lambda obj: obj

READY_TIMEOUT = 30


def run_in_notebook_folder(checks, packages, files=None):
    """Runs `checks` against one kernel started in a temporary notebook folder whose node_modules
    holds `packages` ({"name/file": text, or an object written as JSON}), as npm would leave them,
    and which holds `files` besides (the same, by paths from the folder; "../" for its parent's)."""
    root = tempfile.mkdtemp(prefix="tempo-notebook-")
    folder = os.path.join(root, "notebook")
    try:
        files = {**{f"node_modules/{name}": body for name, body in packages.items()}, **(files or {})}
        for name, body in files.items():
            path = os.path.normpath(os.path.join(folder, name))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(body if isinstance(body, str) else json.dumps(body))
        os.makedirs(folder, exist_ok=True)
        checks.run(lambda: Client(cwd=folder))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def slim(msg, arrived=None):
    """The parts of a message the tests look at, JSON-ready, with its arrival time if known."""
    out = {
        "msg_type": msg["header"]["msg_type"],
        "header": msg["header"],
        "parent_header": msg["parent_header"],
        "metadata": msg["metadata"],
        "content": msg["content"],
    }
    if msg.get("buffers"):
        out["buffers"] = [base64.b64encode(bytes(b)).decode("ascii") for b in msg["buffers"]]
    if arrived is not None:
        out["t"] = arrived
    return out


class Client:
    """One kernel started by KernelManager, with every IOPub message it published recorded in order."""

    def __init__(self, transport="tcp", cwd=None):
        self.km = KernelManager(kernel_name="tempo", transport=transport)
        self.km.start_kernel(**({"cwd": cwd} if cwd else {}))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=READY_TIMEOUT)
        self.iopub = []  # every IOPub message since wait_for_ready, as slim(), with arrival time
        self.replies = {}  # parent msg_id -> slim() reply, from shell and control
        self.closed = False

    # -- receiving -----------------------------------------------------------------------------

    def _pump_iopub(self, timeout):
        """Reads one IOPub message into the log; False when none came within `timeout`."""
        try:
            msg = self.kc.get_iopub_msg(timeout=max(0, timeout))
        except queue.Empty:
            return False
        self.iopub.append(slim(msg, time.monotonic()))
        return True

    def wait_iopub(self, predicate, timeout):
        """The first logged IOPub message matching `predicate`, reading more until the deadline."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for msg in self.iopub[seen:]:
                if predicate(msg):
                    return msg
            seen = len(self.iopub)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pump_iopub(remaining)

    def drain_iopub(self, duration):
        """Records whatever IOPub publishes during `duration` seconds."""
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            self._pump_iopub(deadline - time.monotonic())

    def for_parent(self, msg_id):
        return [m for m in self.iopub if m["parent_header"].get("msg_id") == msg_id]

    def heartbeats(self, count, timeout):
        """The next `count` beats of jupyter_client's own heartbeat thread (one ping a second):
        for each, whether the kernel echoed it in time."""
        hb = self.kc.hb_channel
        recorder = _BeatRecorder(hb.poller)
        hb.poller = recorder
        try:
            with recorder.judged:
                if not recorder.judged.wait_for(lambda: len(recorder.beats) >= count, timeout):
                    raise TimeoutError(f"jupyter_client's heartbeat judged {len(recorder.beats)} of {count} beats within {timeout}s")
                return recorder.beats[:count]
        finally:
            hb.poller = recorder.poller

    def wait_idle(self, msg_id, timeout):
        idle = self.wait_iopub(
            lambda m: m["parent_header"].get("msg_id") == msg_id
            and m["msg_type"] == "status"
            and m["content"]["execution_state"] == "idle",
            timeout,
        )
        if idle is None:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout}s")

    def reply(self, msg_id, timeout, channel="shell"):
        """The reply to `msg_id`; replies to other requests met on the way are kept for later."""
        get_msg = self.kc.get_shell_msg if channel == "shell" else self.kc.get_control_msg
        deadline = time.monotonic() + timeout
        while msg_id not in self.replies:
            try:
                msg = get_msg(timeout=max(0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no {channel} reply to {msg_id} within {timeout}s") from None
            self.replies[msg["parent_header"]["msg_id"]] = slim(msg, time.monotonic())
        return self.replies[msg_id]

    # -- requests ------------------------------------------------------------------------------

    def send(self, msg_type, content=None, channel="shell", metadata=None, buffers=None):
        """Sends a message signed by the client's session (with binary `buffers`, if any); returns its msg_id."""
        msg = self.kc.session.msg(msg_type, content or {}, metadata=metadata)
        if buffers:
            self.kc.session.send(getattr(self.kc, f"{channel}_channel").socket, msg, buffers=buffers)
        else:
            getattr(self.kc, f"{channel}_channel").send(msg)
        return msg["header"]["msg_id"]

    def request(self, msg_type, content=None, channel="shell", timeout=10):
        """Sends a request; returns its reply and the IOPub messages it caused, through idle."""
        msg_id = self.send(msg_type, content, channel)
        reply = self.reply(msg_id, timeout, channel)
        self.wait_idle(msg_id, timeout)
        return {"msg_id": msg_id, "reply": reply, "iopub": self.for_parent(msg_id)}

    def send_execute(self, code, **kw):
        """Sends an execute_request without waiting; returns its msg_id and send time."""
        sent = time.monotonic()
        return self.kc.execute(code, **kw), sent

    def finish(self, msg_id, sent=None, timeout=10):
        """Waits for an execute's idle and reply: {msg_id, reply, iopub (its parent's, in order), sent}."""
        self.wait_idle(msg_id, timeout)
        reply = self.reply(msg_id, timeout)
        return {"msg_id": msg_id, "sent": sent, "reply": reply, "iopub": self.for_parent(msg_id)}

    def execute(self, code, timeout=10, **kw):
        msg_id, sent = self.send_execute(code, **kw)
        return self.finish(msg_id, sent, timeout)

    def execute_or_interrupt(self, code, timeout=10):
        """Like execute, but a cell still running at the deadline is interrupted instead of left
        hanging: the result says `finished: False`, so one hang cannot sink the checks after it."""
        msg_id, sent = self.send_execute(code)
        try:
            return {**self.finish(msg_id, sent, timeout), "finished": True}
        except TimeoutError:
            self.km.interrupt_kernel()
            return {**self.finish(msg_id, sent, 15), "finished": False}

    def recover(self):
        """After a failed check: interrupt whatever may still run and wait until cells run again."""
        self.km.interrupt_kernel()
        self.execute("undefined", timeout=15)

    def value(self, code, timeout=10):
        """The text/plain of `code`'s execute_result, or None (handy for reading state back)."""
        result = self.execute(code, timeout)
        return result_text(result)

    # -- raw sockets ---------------------------------------------------------------------------

    def raw_socket(self, channel, socket_type=zmq.DEALER):
        """A plain synchronous zmq socket on one of the kernel's ports, for hand-made frames."""
        sock = zmq.Context.instance().socket(socket_type)
        sock.linger = 0
        sock.connect(self.km._make_url(channel))
        return sock

    def session_with_key(self, key):
        return Session(key=key, signature_scheme=self.km.session.signature_scheme, username="forger")

    # -- shutdown ------------------------------------------------------------------------------

    def close(self):
        """Polite shutdown first (what JupyterLab does), then a kill if the kernel ignores it."""
        if self.closed:
            return
        self.closed = True
        self.kc.stop_channels()
        try:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=False)
            else:
                self.km.cleanup_resources()  # a kernel that already exited leaves its connection file
        except Exception:
            traceback.print_exc(file=sys.stderr)
        finally:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=True)


class _BeatRecorder:
    """Stands in for the poller of jupyter_client's heartbeat thread (HBChannel), which asks it
    once a beat whether the kernel's echo came: records each answer."""

    def __init__(self, poller):
        self.poller = poller
        self.beats = []
        self.judged = threading.Condition()

    def poll(self, timeout=None):
        events = self.poller.poll(timeout)
        with self.judged:
            self.beats.append(bool(events))
            self.judged.notify_all()
        return events

    def __getattr__(self, name):
        # register and unregister, when the thread replaces its socket after a missed beat
        return getattr(self.poller, name)


def result_text(executed):
    """text/plain of the execute_result in an execute() outcome, or None."""
    for msg in executed["iopub"]:
        if msg["msg_type"] == "execute_result":
            return msg["content"]["data"].get("text/plain")
    return None


class Checks:
    """Named checks run in order against one Client; an exception fails only its own check."""

    def __init__(self):
        self.checks = []

    def __call__(self, fn):
        self.checks.append(fn)
        return fn

    def run(self, client_factory=Client):
        """Runs every check against one shared kernel; with client_factory=None each check starts its own."""
        results = {}
        client = client_factory() if client_factory else None
        try:
            for check in self.checks:
                try:
                    results[check.__name__] = check(client) if client else check()
                except Exception:
                    results[check.__name__] = {"exception": traceback.format_exc()}
                    traceback.print_exc(file=sys.stderr)
                    if client and not recovered(client):
                        break  # the kernel is gone: later checks report themselves missing
        finally:
            if client:
                client.close()
        emit(results)


def recovered(client):
    try:
        client.recover()
        return True
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return False


def emit(results):
    """The scenario's outcome: one JSON object, alone on the last stdout line."""
    sys.stdout.write("\n" + json.dumps(results, default=repr) + "\n")
    sys.stdout.flush()
