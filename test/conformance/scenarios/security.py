"""Message authentication: forged, unsigned and replayed messages, sent with hand-made frames
on plain zmq DEALER sockets, must be dropped without a reply or a status."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()


def send_raw(c, session, msg_type, content, channel="shell", copies=1):
    """Signs (or not) with `session`, sends the same frames `copies` times on a fresh DEALER, and
    returns what came back on that socket and on IOPub for the message.

    Then an honest kernel_info_request follows on the same socket: the kernel reads a socket's
    messages in order, drops a bad one as it reads it, and answers shell requests one at a time.
    So all an accepted copy caused, its reply and its IOPub through idle, comes before the
    kernel_info_request's reply and idle."""
    sock = c.raw_socket(channel)
    msg = session.msg(msg_type, content)
    frames = session.serialize(msg)
    for _ in range(copies):
        sock.send_multipart(frames)
    msg_id = msg["header"]["msg_id"]
    marker = c.kc.session.msg("kernel_info_request", {})
    sock.send_multipart(c.kc.session.serialize(marker))
    replies = []
    while True:
        if not sock.poll(10_000):
            raise TimeoutError(f"no kernel_info_reply on {channel} within 10 s")
        reply = sock.recv_multipart()
        at = reply.index(b"<IDS|MSG>")
        if json.loads(reply[at + 3]).get("msg_id") == marker["header"]["msg_id"]:  # its parent header
            break
        replies.append(json.loads(reply[at + 2]))  # its header
    sock.close()
    c.wait_idle(marker["header"]["msg_id"], 10)
    return {
        "msg_id": msg_id,
        "replies": [h["msg_type"] for h in replies],
        "iopub": [m["msg_type"] for m in c.for_parent(msg_id)],
        "execute_inputs": len([m for m in c.for_parent(msg_id) if m["msg_type"] == "execute_input"]),
    }


def still_answers(c):
    return c.request("kernel_info_request", channel="shell", timeout=5)["reply"]["content"]["status"]


@check
def forged_signature(c):
    forger = c.session_with_key(b"not-the-key")
    sent = send_raw(c, forger, "execute_request", {"code": "globalThis.forged = true", "silent": False})
    return {**sent, "kernel_info": still_answers(c), "forged_type": c.value("typeof globalThis.forged")}


@check
def forged_shutdown_on_control(c):
    forger = c.session_with_key(b"not-the-key")
    sent = send_raw(c, forger, "shutdown_request", {"restart": False}, channel="control")
    return {**sent, "alive": c.km.is_alive(), "kernel_info": still_answers(c)}


@check
def unsigned(c):
    sent = send_raw(c, c.session_with_key(b""), "execute_request", {"code": "globalThis.unsigned = true", "silent": False})
    return {**sent, "kernel_info": still_answers(c), "unsigned_type": c.value("typeof globalThis.unsigned")}


@check
def replayed(c):
    honest = c.session_with_key(c.km.session.key)
    sent = send_raw(c, honest, "execute_request", {"code": "globalThis.n = (globalThis.n ?? 0) + 1", "silent": False}, copies=2)
    return {**sent, "n": c.value("globalThis.n")}


if __name__ == "__main__":
    check.run()
