"""Jupyter widgets (message protocol 2.1) over comms, as a front end's widget manager drives them."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "helpers"))
from tempo_client import Checks  # noqa: E402

check = Checks()


def text_of(c, code):
    """The value of `code`, through JSON printed on stdout."""
    run = c.execute(f"console.log(JSON.stringify({code}))", timeout=60)
    return json.loads("".join(m["content"]["text"] for m in run["iopub"] if m["msg_type"] == "stream"))


def update(state, buffer_paths=None):
    return {"method": "update", "state": state, "buffer_paths": buffer_paths or []}


def comm_msgs(messages, comm_id):
    return [m for m in messages if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id]


@check
def model_states(c):
    return c.execute(
        "const all = [widgets.slider({ min: 1, max: 50, value: 5, description: 'jobs' }), widgets.slider({ min: 0, max: 1, step: 0.05, value: 0.5 }),\n"
        "  widgets.dropdown({ options: ['fast', 'slow'], value: 'slow' }), widgets.checkbox({ value: true, description: 'on' }),\n"
        "  widgets.button({ description: 'go' }), widgets.text({ value: 'hi' }), widgets.output()];\n"
        "display(widgets.hbox(all.slice(0, 2)));\n"
        "widgets.vbox(all.slice(2))",
        timeout=20,
    )


@check
def front_end_update(c):
    c.execute("const s = widgets.slider({ min: 1, max: 50, value: 5 }); const seen: number[][] = []; s.observe((change) => seen.push([change.old, change.new]));")
    sid = text_of(c, "s.id")
    sent = c.send("comm_msg", {"comm_id": sid, "data": update({"value": 12})})
    c.wait_idle(sent, 10)
    after_update = text_of(c, "[s.value, seen]")
    clamped = c.send("comm_msg", {"comm_id": sid, "data": update({"value": 99})})
    c.wait_idle(clamped, 10)
    return {
        "sid": sid,
        "sent": sent,
        "iopub": c.for_parent(sent),
        "after_update": after_update,
        "clamped": c.for_parent(clamped),
        "after_clamp": text_of(c, "s.value"),
    }


@check
def kernel_assignment(c):
    return {"sid": text_of(c, "s.id"), "run": c.execute("s.value = 20;")}


@check
def request_state(c):
    sid = text_of(c, "s.id")
    sent = c.send("comm_msg", {"comm_id": sid, "data": {"method": "request_state"}})
    c.wait_idle(sent, 10)
    return {"sid": sid, "iopub": c.for_parent(sent)}


@check
def button_click(c):
    c.execute("const b = widgets.button({ description: 'go', onClick: () => console.log('clicked') });")
    bid = text_of(c, "b.id")
    sent = c.send("comm_msg", {"comm_id": bid, "data": {"method": "custom", "content": {"event": "click"}}})
    c.wait_idle(sent, 10)
    return {"iopub": c.for_parent(sent)}


@check
def binary_buffers(c):
    run = c.execute(
        "const w = widgets.button();\n"
        "w.onCustom((content, buffers) => console.log(JSON.stringify(content), JSON.stringify([...buffers[0]])));\n"
        "w.send({ kind: 'bytes' }, [new Uint8Array([1, 2, 255])]);"
    )
    wid = text_of(c, "w.id")
    sent = c.send("comm_msg", {"comm_id": wid, "data": {"method": "custom", "content": {"kind": "from front end"}}}, buffers=[b"\x07\x08"])
    c.wait_idle(sent, 10)
    return {"wid": wid, "run": run, "received": c.for_parent(sent)}


@check
def control_comm(c):
    sid = text_of(c, "s.id")
    c.wait_idle(c.send("comm_open", {"comm_id": "control-1", "target_name": "jupyter.widget.control", "data": {}}), 10)
    sent = c.send("comm_msg", {"comm_id": "control-1", "data": {"method": "request_states"}})
    c.wait_idle(sent, 10)
    return {"sid": sid, "iopub": c.for_parent(sent)}


@check
def bad_messages(c):
    sid = text_of(c, "s.id")
    bad = [
        {"comm_id": sid, "data": {"method": "update"}},
        {"comm_id": sid, "data": update({"value": "twelve"})},
        {"comm_id": sid, "data": update({"_model_name": "EvilModel", "value": 7})},
        {"comm_id": sid, "data": update({"min": 2}, [["nowhere", "deep"]])},
        {"comm_id": sid, "data": {"method": "launch"}},
        {"comm_id": sid, "data": "not an object"},
        {"comm_id": "no-such-comm", "data": update({"value": 3})},
    ]
    sent = []
    for content in bad:
        msg_id = c.send("comm_msg", content)
        c.wait_idle(msg_id, 10)
        sent.append(msg_id)
    return {"iopub": [m for msg_id in sent for m in c.for_parent(msg_id)], "state": text_of(c, "[s.value, (s as any).state.min]"), "alive": c.value("1 + 1")}


@check
def close_widget(c):
    sid = text_of(c, "s.id")
    run = c.execute("s.close(); s.closed")
    info = c.request("comm_info_request", {"target_name": "jupyter.widget"})["reply"]["content"]["comms"]
    return {"sid": sid, "run": run, "open_after": list(info)}


@check
def interact_runs(c):
    first = c.execute(
        "interact(async ({ jobs, mode }) => {\n"
        "  await new Promise((resolve) => setTimeout(resolve, 50 * jobs));\n"
        "  console.log(`${mode}: ${jobs} jobs`);\n"
        "  return jobs * 10;\n"
        "}, { jobs: [1, 5], mode: ['all', 'serial'] })",
        timeout=20,
    )
    opens = [m for m in first["iopub"] if m["msg_type"] == "comm_open"]
    slider = next(m for m in opens if m["content"]["data"]["state"]["_model_name"] == "IntSliderModel")["content"]["comm_id"]
    output = next(m for m in opens if m["content"]["data"]["state"]["_model_name"] == "OutputModel")["content"]["comm_id"]
    moves = []
    for value in (4, 5):  # two moves in a row: one run, with the last value
        moves.append(c.send("comm_msg", {"comm_id": slider, "data": update({"value": value})}))
        c.wait_idle(moves[-1], 10)

    def shows_five(m):
        if m["msg_type"] != "comm_msg" or m["content"]["comm_id"] != output:
            return False
        texts = [o.get("text", "") + json.dumps(o.get("data", {})) for o in m["content"]["data"].get("state", {}).get("outputs", [])]
        return any("jobs=5" in t for t in texts)

    rerun = c.wait_iopub(shows_five, 10)
    failing = c.execute("interact(({ n }) => { throw new RangeError(`no ${n}`); }, { n: [1, 3] })", timeout=20)
    return {"first": first, "output": output, "moves": moves, "rerun": rerun, "all_after_moves": [m for m in c.iopub if m["parent_header"].get("msg_id") in moves], "failing": failing}


@check
def widget_memory(c):
    return text_of(
        c,
        "(() => {\n"
        "  require('node:v8').setFlagsFromString('--expose-gc');\n"
        "  const gc = require('node:vm').runInNewContext('gc');\n"
        "  const make = (n: number) => { for (let i = 0; i < n; i++) widgets.slider({ value: i % 100 }).close(); };\n"
        "  const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };\n"
        "  make(200);\n"
        "  const before = heap(), openBefore = widgets.openCount();\n"
        "  make(1000);\n"
        "  return { before, after: heap(), openBefore, openAfter: widgets.openCount() };\n"
        "})()",
    )


@check
def typed_api(c):
    return {
        "bad_option": c.execute("widgets.slider({ min: 'one' })"),
        "bad_name": c.execute("interact(({ jobz }) => jobz, { jobs: [1, 5] })"),
        "good": c.execute("interact(({ jobs, mode }) => { const n: number = jobs; const m: 'a' | 'b' = mode; return n + m; }, { jobs: [1, 5], mode: ['a', 'b'] })"),
        "complete": c.request("complete_request", {"code": "widgets.sli", "cursor_pos": 11})["reply"]["content"],
        "inspect": c.request("inspect_request", {"code": "widgets.slider", "cursor_pos": 14, "detail_level": 0})["reply"]["content"],
    }


if __name__ == "__main__":
    check.run()
