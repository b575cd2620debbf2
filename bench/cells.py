"""Runs the cells the benchmark sends, through Debian's jupyter_client, for bench/cells.mjs.

usage: cells.py CONNECTION_FILE
Prints {"ready": true} once subscribed, then answers each request line on stdin
    {"code": "...", "repeat": 1, "timeout": 60, "expect": null}
("expect": output to wait for even after idle, see roundtrip.expected) with one line
{"runs": [...]} (or {"error": "..."}), one run per repetition:
    {"ms": execute_request -> execute_reply and idle (null if idle never came),
     "reply_ms": -> execute_reply alone, "status": "ok", "ename": ..., "evalue": ...,
     "timing": execute_reply metadata.timing or null,
     "shown": what it printed or returned (its last 1,000 characters), "lines": how many lines that was in all,
     "late": whether any of it came after the idle status,
     "result": its execute_result's text/plain alone (or null), free of any note on stderr,
     "timing_line": whether a `⏱` line was displayed, "svg": whether an SVG chart (an <img> in text/html) was displayed}
and each request {"complete": "Math.fl", "repeat": 1, "timeout": 60} (cursor at the end) with
    {"runs": [{"ms": complete_request -> complete_reply, "status": ..., "matches": [...]}]}.
The driving process decides what to run and when, and can look at the kernel (memory, say)
between two requests; nothing here waits between cells.
"""
import json
import sys
import time

from jupyter_client import BlockingKernelClient

from roundtrip import run_cell, shell_reply, wait_until_subscribed


def describe(seconds, reply, shown, outputs, marks):
    displays = [msg['content']['data'] for msg in outputs if msg['msg_type'] == 'display_data']
    content = reply['content']
    return {
        'ms': None if seconds is None else seconds * 1000,
        'reply_ms': marks['reply'] * 1000,
        'status': content['status'],
        'ename': content.get('ename'),
        'evalue': content.get('evalue'),
        'timing': reply['metadata'].get('timing'),
        # Only its end: 100,000 printed lines would make a needlessly long answer.
        'shown': shown[-1000:],
        'lines': marks['lines'],
        'late': marks['late'],
        'result': next((msg['content']['data'].get('text/plain') for msg in outputs if msg['msg_type'] == 'execute_result'), None),
        'timing_line': any(data.get('text/plain', '').startswith('⏱') for data in displays),
        'svg': any('data:image/svg+xml' in data.get('text/html', '') for data in displays),
    }


def complete(kc, code, timeout):
    start = time.perf_counter()
    reply = shell_reply(kc, kc.complete(code, len(code)), timeout)
    content = reply['content']
    return {'ms': (time.perf_counter() - start) * 1000, 'status': content['status'], 'matches': content.get('matches', [])}


def answer(kc, request):
    runs = []
    if 'complete' in request:
        for _ in range(request.get('repeat', 1)):
            runs.append(complete(kc, request['complete'], request.get('timeout', 60)))
        return {'runs': runs}
    for _ in range(request.get('repeat', 1)):
        outputs, marks = [], {}
        seconds, reply, shown = run_cell(kc, request['code'], request.get('timeout', 60), outputs, marks, request.get('expect'))
        runs.append(describe(seconds, reply, shown, outputs, marks))
    return {'runs': runs}


def main():
    kc = BlockingKernelClient()
    kc.load_connection_file(sys.argv[1])
    kc.start_channels()
    try:
        wait_until_subscribed(kc, 30)
        print(json.dumps({'ready': True}), flush=True)
        for line in sys.stdin:
            try:
                result = answer(kc, json.loads(line))
            except Exception as error:  # noqa: BLE001 - reported to the driver, which fails the run
                result = {'error': '%s: %s' % (type(error).__name__, error)}
            print(json.dumps(result), flush=True)
    finally:
        kc.stop_channels()


if __name__ == '__main__':
    main()
