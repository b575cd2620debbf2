"""Trivial-cell round trips through Debian's jupyter_client, as a notebook front end sees them.

usage: roundtrip.py CONNECTION_FILE [--warmup 20] [--cells 200]
Prints {"times_ms": [...], "lost": N}: for each measured cell, execute_request sent ->
execute_reply and the matching idle status both received.

A cell whose output or idle status never comes is counted in "lost", not timed, and the run goes
on, as a notebook user would after a stuck "busy" indicator: tslab 1.0.22 drops about one iopub
message in 512, because it does not await zeromq 6's send(), which defers the 513th synchronous
send and rejects the next one with EBUSY. More than a tenth of the cells lost is a failure.
"""
import argparse
import json
import sys
import time
from queue import Empty

from jupyter_client import BlockingKernelClient


def wait_until_subscribed(kc, timeout):
    """kernel_info until both its reply and its iopub status arrive, so no cell output is missed.

    jupyter_client's wait_for_ready does the same but also gives up when one heartbeat is late,
    and tslab echoes heartbeats on its busy main thread, so that check fails it spuriously.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        try:
            while kc.get_shell_msg(timeout=1)['parent_header'].get('msg_id') != msg_id:
                pass
            while kc.get_iopub_msg(timeout=0.5)['parent_header'].get('msg_id') != msg_id:
                pass
            return
        except Empty:
            continue
    raise RuntimeError('no kernel_info_reply with iopub status within %g s' % timeout)


# After its execute_reply, how long a cell's idle status may take before it counts as lost.
IDLE_GRACE_S = 5.0


def run_cell(kc, code, timeout, outputs=None, marks=None):
    """Runs one cell; returns (seconds or None if idle never came, execute_reply message, what it showed).

    Tempo sends the value as execute_result; tslab prints it on stdout instead, so both count.
    Every iopub message of the cell before its idle is also appended to `outputs`, and the
    seconds until its execute_reply alone are put in marks['reply'], if they are given.
    """
    start = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply['parent_header'].get('msg_id') == msg_id:
            break
    if marks is not None:
        marks['reply'] = time.perf_counter() - start
    shown = ''
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=IDLE_GRACE_S)
        except Empty:
            return None, reply, shown.strip()
        if msg['parent_header'].get('msg_id') != msg_id:
            continue
        if outputs is not None and msg['msg_type'] != 'status':
            outputs.append(msg)
        if msg['msg_type'] == 'execute_result':
            shown += msg['content']['data'].get('text/plain', '')
        elif msg['msg_type'] == 'stream':
            shown += msg['content']['text']
        elif msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
            break
    return time.perf_counter() - start, reply, shown.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('connection_file')
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--cells', type=int, default=200)
    parser.add_argument('--timeout', type=float, default=30.0)
    args = parser.parse_args()

    kc = BlockingKernelClient()
    kc.load_connection_file(args.connection_file)
    kc.start_channels()
    try:
        wait_until_subscribed(kc, args.timeout)
        times_ms = []
        lost = 0
        total = args.warmup + args.cells
        for i in range(total):
            seconds, reply, shown = run_cell(kc, '1 + 1', args.timeout)
            # A fast error reply is not a round trip: every timed cell must really show 2.
            if reply['content']['status'] != 'ok':
                sys.exit('cell %d: status %r' % (i, reply['content']['status']))
            if seconds is None or shown != '2':
                lost += 1
                if lost > total // 10:
                    sys.exit('cell %d: %d cells lost their output or idle status (last showed %r)' % (i, lost, shown))
            elif i >= args.warmup:
                times_ms.append(seconds * 1000)
    finally:
        kc.stop_channels()
    print(json.dumps({'times_ms': times_ms, 'lost': lost}))


if __name__ == '__main__':
    main()
