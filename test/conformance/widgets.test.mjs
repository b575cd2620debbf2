// Jupyter widgets (issue 20) through Debian's jupyter_client: every model's state checked against
// the spec the Jupyter widgets project publishes (@jupyter-widgets/schema), and the protocol's
// messages in both directions.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { kernelEnv, ofType, sharedScenario, stripAnsi, streamText } from '../helpers/kernel-env.mjs';

const require = createRequire(import.meta.url);
const modelSpecs = require('@jupyter-widgets/schema/jupyterwidgetmodels.latest.json');
const viewSchema = require('@jupyter-widgets/schema/v2/view.schema.json');
const check = sharedScenario(kernelEnv(), 'widgets.py', { timeoutMs: 120_000 });

const VIEW = 'application/vnd.jupyter.widget-view+json';
const commOpens = (messages) => ofType(messages, 'comm_open').filter((m) => m.content.target_name === 'jupyter.widget');
const commMsgs = (messages, commId) => ofType(messages, 'comm_msg').filter((m) => m.content.comm_id === commId);
const stateOf = (open) => open.content.data.state;
const modelNamed = (opens, name) => opens.find((m) => stateOf(m)._model_name === name);

/** Whether `value` is what the spec's attribute allows (types as jupyterwidgetmodels.latest.md defines them). */
function fits(attribute, value, openIds) {
  if (value === null) return attribute.allow_none === true;
  const types = Array.isArray(attribute.type) ? attribute.type : [attribute.type];
  return types.some((type) => {
    switch (type) {
      case 'int':
        return Number.isInteger(value);
      case 'float':
        return typeof value === 'number';
      case 'bool':
        return typeof value === 'boolean';
      case 'string':
        return typeof value === 'string' && (!attribute.enum || attribute.enum.includes(value));
      case 'reference':
        return typeof value === 'string' && openIds.has(value.replace(/^IPY_MODEL_/, ''));
      case 'array':
        return Array.isArray(value) && (attribute.items?.type !== 'reference' || value.every((item) => openIds.has(String(item).replace(/^IPY_MODEL_/, ''))));
      default:
        return false;
    }
  });
}

/** Problems of one comm_open against the published spec: missing, unknown or ill-typed attributes, dangling references. */
function problemsOf(open, openIds) {
  const state = stateOf(open);
  const spec = modelSpecs.find((s) => s.model.name === state._model_name && s.model.module === state._model_module && s.model.version === state._model_module_version);
  if (!spec) return [`no published spec for ${state._model_module}@${state._model_module_version} ${state._model_name}`];
  const problems = [];
  for (const attribute of spec.attributes) {
    if (!(attribute.name in state)) problems.push(`${state._model_name}.${attribute.name} missing`);
    else if (!fits(attribute, state[attribute.name], openIds)) problems.push(`${state._model_name}.${attribute.name} = ${JSON.stringify(state[attribute.name])} is not ${JSON.stringify(attribute.type)}`);
  }
  for (const name of Object.keys(state)) if (!spec.attributes.some((a) => a.name === name)) problems.push(`${state._model_name}.${name} is not in the spec`);
  if (open.metadata.version?.split('.')[0] !== '2') problems.push(`comm_open metadata.version is ${open.metadata.version}`);
  if (!Array.isArray(open.content.data.buffer_paths)) problems.push('buffer_paths missing');
  return problems;
}

/** A widget-view bundle checked against v2/view.schema.json (required keys, types, version bounds). */
function viewProblems(view, openIds) {
  const problems = viewSchema.required.filter((key) => !(key in view)).map((key) => `view lacks ${key}`);
  if (typeof view.model_id !== 'string' || !openIds.has(view.model_id)) problems.push(`view names model ${view.model_id}, which no comm_open opened`);
  const major = viewSchema.properties.version_major;
  if (!(view.version_major >= major.minimum && view.version_major <= major.maximum)) problems.push(`version_major ${view.version_major}`);
  if (typeof view.version_minor !== 'number') problems.push('version_minor is not a number');
  return problems;
}

test("every model's full state matches the spec @jupyter-widgets/schema publishes; displays and results name opened models", async () => {
  const run = await check('model_states');
  const opens = commOpens(run.iopub);
  const ids = new Set(opens.map((m) => m.content.comm_id));
  const names = opens.map((m) => stateOf(m)._model_name);
  for (const name of ['IntSliderModel', 'FloatSliderModel', 'DropdownModel', 'CheckboxModel', 'ButtonModel', 'TextModel', 'OutputModel', 'HBoxModel', 'VBoxModel', 'LayoutModel', 'SliderStyleModel', 'ButtonStyleModel']) {
    assert.ok(names.includes(name), `no ${name} among ${names.join(', ')}`);
  }
  // References must name a model opened before: a front end resolves them on arrival.
  const openedBefore = new Set();
  for (const open of opens) {
    assert.deepEqual(problemsOf(open, openedBefore), [], `${stateOf(open)._model_name}`);
    openedBefore.add(open.content.comm_id);
  }
  assert.equal(stateOf(modelNamed(opens, 'IntSliderModel')).value, 5);
  assert.deepEqual([stateOf(modelNamed(opens, 'FloatSliderModel')).step, stateOf(modelNamed(opens, 'FloatSliderModel')).value], [0.05, 0.5]);
  assert.deepEqual([stateOf(modelNamed(opens, 'DropdownModel'))._options_labels, stateOf(modelNamed(opens, 'DropdownModel')).index], [['fast', 'slow'], 1]);
  const views = [...ofType(run.iopub, 'display_data'), ...ofType(run.iopub, 'execute_result')].map((m) => m.content.data).filter((data) => VIEW in data);
  assert.equal(views.length, 2, 'the hbox displayed and the vbox as the result');
  for (const data of views) {
    assert.deepEqual(viewProblems(data[VIEW], ids), []);
    assert.match(data['text/plain'], /^[HV]Box\(/, 'a text form for front ends without widgets');
  }
  assert.equal(run.reply.content.status, 'ok');
});

test("a front end's update changes .value for later cells, is echoed under its message, and is clamped to the slider's range", async () => {
  const r = await check('front_end_update');
  const [echo] = commMsgs(r.iopub, r.sid);
  assert.deepEqual(echo.content.data, { method: 'echo_update', state: { value: 12 }, buffer_paths: [] });
  assert.equal(echo.parent_header.msg_id, r.sent, 'the sender matches the echo to its own message');
  assert.deepEqual(r.after_update, [12, [[5, 12]]], 'value and the observer saw the change');
  const updates = commMsgs(r.clamped, r.sid).map((m) => m.content.data);
  assert.deepEqual(updates.at(-1), { method: 'update', state: { value: 50 }, buffer_paths: [] }, '99 is past max 50: the kernel says what it kept');
  assert.equal(r.after_clamp, 50);
});

test('assigning .value in a cell sends an update', async () => {
  const { sid, run } = await check('kernel_assignment');
  assert.deepEqual(commMsgs(run.iopub, sid).map((m) => m.content.data), [{ method: 'update', state: { value: 20 }, buffer_paths: [] }]);
});

test('request_state is answered with the whole state', async () => {
  const { sid, iopub } = await check('request_state');
  const [reply] = commMsgs(iopub, sid);
  assert.equal(reply.content.data.method, 'update');
  assert.equal(reply.content.data.state.value, 20);
  assert.equal(reply.content.data.state._model_name, 'IntSliderModel');
  assert.ok(Object.keys(reply.content.data.state).length >= 20, 'every attribute');
});

test("a button's click message calls onClick; what it prints goes under the click, before idle", async () => {
  const { iopub } = await check('button_click');
  assert.deepEqual(iopub.map((m) => m.msg_type), ['status', 'stream', 'status']);
  assert.equal(streamText(iopub, 'stdout'), 'clicked\n');
});

test('binary buffers travel both ways: a cell sends bytes, a handler receives the front end’s', async () => {
  const { wid, run, received } = await check('binary_buffers');
  const [sent] = commMsgs(run.iopub, wid);
  assert.deepEqual(sent.content.data, { method: 'custom', content: { kind: 'bytes' } });
  assert.deepEqual(sent.buffers, [Buffer.from([1, 2, 255]).toString('base64')]);
  assert.equal(streamText(received, 'stdout'), '{"kind":"from front end"} [7,8]\n');
});

test('the jupyter.widget.control comm answers request_states with every open model', async () => {
  const { sid, iopub } = await check('control_comm');
  const [answer] = ofType(iopub, 'comm_msg');
  assert.equal(answer.content.data.method, 'update_states');
  const slider = answer.content.data.states[sid];
  assert.deepEqual([slider.model_name, slider.model_module, slider.model_module_version, slider.state.value], ['IntSliderModel', '@jupyter-widgets/controls', '2.0.0', 20]);
});

test('malformed or unknown widget messages are dropped without an error or a crash; only valid keys apply', async () => {
  const { iopub, state, alive } = await check('bad_messages');
  assert.deepEqual(ofType(iopub, 'error'), []);
  // Of seven bad messages, one had a valid key beside one that may not change: only that key applied.
  assert.deepEqual(ofType(iopub, 'comm_msg').map((m) => m.content.data), [{ method: 'echo_update', state: { value: 7 }, buffer_paths: [] }]);
  assert.deepEqual(state, [7, 1], 'value 7 kept; "twelve" and a min whose buffers were misplaced were not');
  assert.equal(alive, '2');
});

test("closing a widget closes its comm and its layout's and style's; comm_info no longer lists them", async () => {
  const { sid, run, open_after } = await check('close_widget');
  const closed = ofType(run.iopub, 'comm_close').map((m) => m.content.comm_id);
  assert.ok(closed.includes(sid));
  assert.equal(closed.length, 3, 'the slider, its layout and its style');
  for (const id of closed) assert.ok(!open_after.includes(id), `${id} still listed`);
});

test('interact runs once in the cell, again after slider moves (once for two quick moves), each run with its own output and timing line', async () => {
  const { first, output, rerun, all_after_moves, failing } = await check('interact_runs');
  const outputsIn = (messages, id = output) => commMsgs(messages, id).map((m) => m.content.data.state?.outputs).filter(Boolean);
  const firstOutputs = outputsIn(first.iopub).at(-1);
  assert.equal(firstOutputs[0].text, 'all: 3 jobs\n', "the slider starts mid-range and the dropdown at its first option");
  assert.equal(firstOutputs[1].data['text/plain'], '30', "the function's value is shown");
  assert.match(firstOutputs[2].data['text/plain'], /^jobs=3, mode="all" · ⏱ 1\d\d ms wall/, 'a timing line for the run, 150 ms of timers');
  const timingLines = ofType(first.iopub, 'display_data').filter((m) => String(m.content.data['text/plain']).startsWith('⏱'));
  assert.deepEqual(timingLines, [], "the runs show their timing: the cell's own line would be a second, different one");
  assert.ok(first.reply.metadata.timing.wallMs > 0, 'the reply still carries the cell’s timing');
  const [shown] = ofType(first.iopub, 'display_data').filter((m) => VIEW in m.content.data);
  const [copy] = ofType(first.iopub, 'update_display_data');
  assert.equal(copy.content.transient.display_id, shown.content.transient.display_id);
  assert.match(copy.content.data['text/plain'], /all: 3 jobs/, 'a text copy of the first run for front ends without widgets');
  assert.match(copy.content.data['text/html'], /all: 3 jobs/);
  const rerunOutputs = rerun.content.data.state.outputs;
  assert.equal(rerunOutputs[0].text, 'all: 5 jobs\n', 'the previous run’s output is replaced');
  assert.match(rerunOutputs.at(-1).data['text/plain'], /^jobs=5, mode="all" · ⏱ 2\d\d ms wall/);
  const runsStarted = outputsIn(all_after_moves).filter((outputs) => outputs.some((o) => o.text?.includes('jobs\n')));
  assert.ok(runsStarted.every((outputs) => outputs[0].text === 'all: 5 jobs\n'), 'two quick moves: one run, with the last value');
  const failed = outputsIn(failing.iopub, modelNamed(commOpens(failing.iopub), 'OutputModel').content.comm_id).at(-1);
  assert.deepEqual([failed[0].output_type, failed[0].ename, failed[0].evalue], ['error', 'RangeError', 'no 2']);
  assert.equal(failing.reply.content.status, 'ok', "a run's error is the run's, not the cell's");
});

test('1,000 widgets created and closed leave the executor heap where it was and no model open', async () => {
  const { before, after, openBefore, openAfter } = await check('widget_memory');
  assert.equal(openAfter, openBefore);
  assert.ok(after - before < 1_000_000, `heap grew ${after - before} bytes`);
});

test('the API is typed: wrong options and wrong interact names are type errors; completion and inspection know it', async () => {
  const r = await check('typed_api');
  assert.equal(r.bad_option.reply.content.ename, 'TypeScriptError');
  assert.match(stripAnsi(r.bad_option.reply.content.traceback.join('\n')), /widgets\.slider\(\{ min: 'one' \}\)[\s\S]*TS2322/);
  assert.match(r.bad_name.reply.content.evalue, /TS2339: Property 'jobz' does not exist/);
  assert.equal(r.good.reply.content.status, 'ok', 'jobs is a number and mode is "a" | "b"');
  assert.ok(r.complete.matches.includes('slider'));
  assert.match(r.inspect.data['text/plain'], /slider: \(options\?: SliderOptions/);
});
