"""Cell round trips through Debian's jupyter_client, as a notebook front end sees them (for cells.py).

A cell whose output or idle status never comes is reported as such, not timed, and the run goes
on, as a notebook user would after a stuck "busy" indicator: tslab 1.0.22 drops about one iopub
message in 512, because it does not await zeromq 6's send(), which defers the 513th synchronous
send and rejects the next one with EBUSY.
"""
import time
from queue import Empty



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


def shell_reply(kc, msg_id, timeout):
    """The reply to request msg_id on shell, skipping any left over from earlier requests."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply['parent_header'].get('msg_id') == msg_id:
            return reply


# After its execute_reply, how long a cell's idle status (or expected output) may take before it counts as lost.
IDLE_GRACE_S = 5.0


def expected(expect, shown, lines):
    """Whether the output `expect` asks for ({"contains": text} or {"lines": n}) has all arrived."""
    if not expect:
        return True
    if 'lines' in expect:
        return lines >= expect['lines']
    return expect['contains'] in shown


def run_cell(kc, code, timeout, outputs=None, marks=None, expect=None):
    """Runs one cell; returns (seconds or None if it never finished, execute_reply message, what it showed).

    A cell has finished once its idle status and the output `expect` asks for (see expected())
    have both arrived: Deno 2.9 sends some output after its idle status.
    Tempo sends the value as execute_result; tslab prints it on stdout instead, so both count.
    Every iopub message of the cell but its status is also appended to `outputs`, if given; in
    `marks`, if given, go the seconds until its execute_reply alone ('reply'), the number of lines
    it showed ('lines') and whether output came after its idle status ('late').
    """
    marks = {} if marks is None else marks
    start = time.perf_counter()
    msg_id = kc.execute(code)
    reply = shell_reply(kc, msg_id, timeout)
    marks['reply'] = time.perf_counter() - start
    shown = ''
    marks['lines'] = 0
    marks['late'] = False
    idle = False
    while not (idle and expected(expect, shown, marks['lines'])):
        try:
            msg = kc.get_iopub_msg(timeout=IDLE_GRACE_S)
        except Empty:
            return None, reply, shown.strip()
        if msg['parent_header'].get('msg_id') != msg_id:
            continue
        if outputs is not None and msg['msg_type'] != 'status':
            outputs.append(msg)
        marks['late'] = marks['late'] or idle
        text = ''
        if msg['msg_type'] == 'execute_result':
            text = msg['content']['data'].get('text/plain', '')
        elif msg['msg_type'] == 'stream':
            text = msg['content']['text']
        elif msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
            idle = True
        shown += text
        # Counted as it comes: splitting 100,000 lines again for every message would be quadratic.
        marks['lines'] += text.count('\n')
    return time.perf_counter() - start, reply, shown.strip()
