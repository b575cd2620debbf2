"""The floor under the timing line's cost: what one extra IOPub message costs jupyter_client itself.

usage: message-floor.py PAIRS
A stub kernel (its own process, plain pyzmq, no work to speak of) answers each execute_request
as Tempo answers `1 + 1`: busy, execute_input, execute_result, execute_reply, idle. For the code
"on" it also publishes one minimal display_data, just after the reply so that sending it never
delays the reply. Cells "on" and "off" alternate (on-off-off-on…) through bench/roundtrip.py's
run_cell, as in cells.py; prints {"ms": median round trip on − off, "reply_ms": the same up to
execute_reply alone, "cell_ms": the median round trip of an "on" cell}. Whatever a kernel does, an
extra output message costs the client this much, and a cell answered as Tempo answers `1 + 1`
(timing line included) takes the client cell_ms: the floor under the trivial-cell round trip.
"""
import json
import multiprocessing
import os
import statistics
import sys

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

from roundtrip import run_cell, wait_until_subscribed

WARMUP_CELLS = 200
EXTRA = {'data': {'text/plain': '⏱'}, 'metadata': {}, 'transient': {}}


def stub_kernel(info, key, client_pid):
    """Serves kernel_info and execute requests until the client process is gone."""
    session = Session(key=key, signature_scheme=info['signature_scheme'], check_pid=False)
    context = zmq.Context()
    shell = context.socket(zmq.ROUTER)
    shell.bind('tcp://127.0.0.1:%d' % info['shell_port'])
    iopub = context.socket(zmq.PUB)
    iopub.bind('tcp://127.0.0.1:%d' % info['iopub_port'])
    count = 0
    while os.getppid() == client_pid:
        if not shell.poll(1000):
            continue
        identities, frames = session.feed_identities(shell.recv_multipart())
        request = session.deserialize(frames)
        parent = request['header']

        def publish(msg_type, content):
            session.send(iopub, msg_type, content, parent=parent, ident=[('kernel.stub.' + msg_type).encode()])

        publish('status', {'execution_state': 'busy'})
        if parent['msg_type'] == 'execute_request':
            count += 1
            code = request['content']['code']
            publish('execute_input', {'code': code, 'execution_count': count})
            publish('execute_result', {'data': {'text/plain': '2'}, 'metadata': {}, 'execution_count': count})
            session.send(shell, 'execute_reply', {'status': 'ok', 'execution_count': count, 'user_expressions': {}, 'payload': []}, parent=parent, ident=identities)
            if code == 'on':
                publish('display_data', EXTRA)
        else:
            session.send(shell, 'kernel_info_reply', {'status': 'ok', 'protocol_version': '5.3', 'implementation': 'stub'}, parent=parent, ident=identities)
        publish('status', {'execution_state': 'idle'})


def main():
    pairs = int(sys.argv[1])
    key = os.urandom(32).hex().encode()
    path, info = write_connection_file(fname='/tmp/tempo-message-floor-%d.json' % os.getpid(), ip='127.0.0.1', key=key, signature_scheme='hmac-sha256')
    stub = multiprocessing.Process(target=stub_kernel, args=(info, key, os.getpid()), daemon=True)
    stub.start()
    kc = BlockingKernelClient()
    kc.load_connection_file(path)
    kc.start_channels(hb=False)
    try:
        wait_until_subscribed(kc, 30)
        for _ in range(WARMUP_CELLS):
            run_cell(kc, 'off', 10)
        runs = {'on': [], 'off': []}
        for pair in range(pairs):
            for code in ('on', 'off') if pair % 2 == 0 else ('off', 'on'):
                marks = {}
                seconds, _, _ = run_cell(kc, code, 10, None, marks)
                if seconds is None:
                    raise RuntimeError('the stub kernel lost an idle status')
                runs[code].append((seconds * 1000, marks['reply'] * 1000))
        median = lambda code, part: statistics.median(run[part] for run in runs[code])
        cost = lambda part: median('on', part) - median('off', part)
        print(json.dumps({'ms': cost(0), 'reply_ms': cost(1), 'cell_ms': median('on', 0)}))
    finally:
        kc.stop_channels()
        stub.kill()
        os.unlink(path)


if __name__ == '__main__':
    main()
