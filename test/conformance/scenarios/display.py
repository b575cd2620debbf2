"""The display API, live-updating displays, values that render themselves, and input() over stdin."""

import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()


@check
def mime_types(c):
    return c.execute(
        'display.html("<b>bold</b>"); display.markdown("# Title"); display.svg("<svg xmlns=\'http://www.w3.org/2000/svg\'/>");\n'
        'display.png(new Uint8Array([137, 80, 78, 71])); display.json({ a: 1 }); display.text("plain");\n'
        'display.mime({ "application/x-tempo": "custom", "text/plain": "custom" }); display({ n: 1 });\n'
        'html`<i>${1 + 1}</i>`'
    )


@check
def update_from_later_cell(c):
    first = c.execute('const h = display("before", { id: true }); h.displayId')
    second = c.execute('h.update("after")')
    return {"first": first, "second": second}


@check
def self_rendering_and_tables(c):
    return {
        "deno_style": c.execute('({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<p>mine</p>" } } })'),
        "table": c.execute('[{ job: 1, secs: 1.0 }, { job: 2, secs: 0.5 }]'),
    }


@check
def clear_output(c):
    return c.execute('console.log("gone"); clearOutput({ wait: true }); console.log("kept")')


@check
def progress_all(c):
    return c.execute(
        "const sleep = (ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms));\n"
        "await progress.all([100, 200, 300, 400, 500].map(sleep), { label: 'jobs' })",
        timeout=15,
    )


@check
def tempo_module(c):
    return c.value('import { display as d, html as h, progress as p, input as i } from "tempo"; [d, h, p, i].map((f) => typeof f).join()')


@check
def progress_loop(c):
    return c.execute("let total = 0; for await (const x of progress([1, 2, 3])) total += x; total")


@check
def input_without_stdin(c):
    return c.execute('await input("name? ")', allow_stdin=False)


@check
def input_round_trip(c):
    # Answer the prompt from another thread, as a front end would.
    msg_id, sent = c.send_execute('const name = await input("Your name? "); `hello ${name}`', allow_stdin=True)
    request = c.kc.get_stdin_msg(timeout=10)
    hb_alive = c.kc.hb_channel.is_beating()
    c.kc.input("Tempo")
    done = c.finish(msg_id, sent)
    return {"request": request["content"], "parent": request["parent_header"]["msg_id"], "msg_id": msg_id, "hb": hb_alive, "done": done}


@check
def comms_both_ways(c):
    c.execute(
        "comms.register('echo', (comm, data) => {\n"
        "  comm.send({ got: data });\n"
        "  comm.onMsg = (d) => comm.send({ echo: d });\n"
        "  comm.onClose = () => console.log('closed by front end');\n"
        "});"
    )
    # Comm messages have no reply: the kernel answers on IOPub only.
    c.wait_idle(c.send("comm_open", {"comm_id": "c-1", "target_name": "echo", "data": {"x": 1}}), 10)
    got = c.wait_iopub(lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("got") is not None, 5)
    c.wait_idle(c.send("comm_msg", {"comm_id": "c-1", "data": {"y": 2}}), 10)
    echo = c.wait_iopub(lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("echo") is not None, 5)
    info = c.request("comm_info_request", {"target_name": "echo"})["reply"]["content"]
    c.wait_idle(c.send("comm_close", {"comm_id": "c-1", "data": {}}), 10)
    closed_print = c.wait_iopub(lambda m: m["msg_type"] == "stream" and "closed by front end" in m["content"]["text"], 5)
    info_after = c.request("comm_info_request", {})["reply"]["content"]
    from_kernel = c.execute("const k = comms.open('from-kernel', { hello: 1 }); k.send({ n: 2 }); k.close(); k.id")
    return {"got": got, "echo": echo, "info": info, "closed_print": closed_print, "info_after": info_after, "from_kernel": from_kernel}


if __name__ == "__main__":
    check.run()
