// `%%timeline` rendering: the seed notebook's three examples as hand-made TimelineData, checked for
// structure (well-formed SVG, one row per lane, the blocked band, marks, the lane cap, escaping)
// and written to test-output/ so a person can look at them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { renderTimelineSvg, renderTimelineText, timelineBundle } = require('../../dist/display/timeline.js');
const { timingText } = require('../../dist/display/timing-line.js');

const main = (endMs, marks) => ({ label: 'main', kind: 'main', startMs: 0, endMs, runs: [], marks });
const timer = (label, startMs, endMs, marks = [], more = {}) => ({ label, kind: 'timer', startMs, endMs, runs: [], marks, ...more });
/** A cell's data as the clock reports it: blockedMs is the length of the blocked spans. */
const timeline = (fields) => {
  const data = { overlap: 0, blocked: [], droppedLanes: 0, mergedSpans: 0, ...fields };
  return { blockedMs: data.blocked.reduce((sum, span) => sum + span.endMs - span.startMs, 0), ...data };
};
/** The chart's own lines: the figures table and the legend follow an empty line. */
const chartLines = (text) => text.split('\n\n')[0].split('\n');

// 1. console.log('Hello'); await sleep(1000); console.log('World')
const HELLO_WORLD = timeline({
  wallMs: 1000,
  lanes: [
    main(1000, [
      { atMs: 0, text: 'Hello' },
      { atMs: 1000, text: 'World' },
    ]),
    timer('setTimeout 1000 ms', 0, 1000),
  ],
  blocked: [
    { startMs: 0, endMs: 0.3 },
    { startMs: 1000, endMs: 1000.2 },
  ],
  overlap: 1,
});

// 2. Five jobs that each busy-wait a second: the loop is blocked the whole time.
const BLOCKING_JOBS = timeline({
  wallMs: 5000,
  lanes: [
    main(
      5000,
      [1, 2, 3, 4, 5].flatMap((n) => [
        { atMs: (n - 1) * 1000, text: `Starting job ${n}` },
        { atMs: n * 1000, text: `Finishing job ${n}` },
      ]),
    ),
  ],
  blocked: [{ startMs: 0, endMs: 5000 }],
});

// 3. await Promise.all of five one-second jobs: five timers side by side, overlap ×5.
const PROMISE_ALL = timeline({
  wallMs: 1000,
  lanes: [
    main(
      1000,
      [1, 2, 3, 4, 5].map((n) => ({ atMs: 0, text: `Starting job ${n}` })),
    ),
    ...[1, 2, 3, 4, 5].map((n) => timer(`Finishing job ${n}`, 0, 1000, [{ atMs: 1000, text: `Finishing job ${n}` }])),
  ],
  blocked: [
    { startMs: 0, endMs: 0.4 },
    { startMs: 1000, endMs: 1000.3 },
  ],
  overlap: 5,
});

const FIXTURES = { 'hello-world': HELLO_WORLD, 'blocking-jobs': BLOCKING_JOBS, 'promise-all': PROMISE_ALL };

/** Parses with Debian's CPython minidom, a real XML parser independent of our code. */
function assertWellFormed(svg) {
  const check = 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())';
  const result = spawnSync('/usr/bin/python3', ['-c', check], { input: svg, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  assert.equal(result.status, 0, `SVG is not well-formed XML:\n${result.stderr}`);
}

const count = (text, pattern) => (text.match(pattern) ?? []).length;
const laneGroups = (svg) => [...svg.matchAll(/<g class="lane" data-kind="(\w+)">([\s\S]*?)<\/g>/g)];
const plotWidth = (svg) => {
  const axis = svg.match(/<line class="axis" x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/);
  return Number(axis[2]) - Number(axis[1]);
};
const blockedWidths = (svg) => [...svg.matchAll(/<rect class="blocked" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
const blockedRow = (text) => text.split('\n').find((line) => line.startsWith('blocked')).slice('blocked'.length).trim();
const share = (row, glyph) => Array.from(row).filter((c) => c === glyph).length / Array.from(row).length;

for (const [name, data] of Object.entries(FIXTURES)) {
  test(`${name}: the SVG is well-formed, classed, summarised and deterministic`, () => {
    const svg = renderTimelineSvg(data);
    assertWellFormed(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="tempo-timeline" width="760" height="\d+" viewBox="0 0 760 \d+"/);
    assert.match(svg, /aria-label="Event-loop timeline: wall /);
    assert.match(svg, /<title>Event-loop timeline: /);
    assert.match(svg, />event loop blocked</);
    assert.equal(renderTimelineSvg(data), svg);
  });
}

test('hello-world: caption, two marks on main with their texts as tooltips, a timer row', () => {
  const svg = renderTimelineSvg(HELLO_WORLD);
  assert.match(svg, />wall 1\.00 s · overlap ×1\.0 · blocked 500 µs</);
  const lanes = laneGroups(svg);
  assert.deepEqual(lanes.map((m) => m[1]), ['main', 'timer']);
  assert.equal(count(lanes[0][2], /class="mark"/g), 2);
  assert.match(lanes[0][2], /<title>0 ms: Hello<\/title>/);
  assert.match(lanes[0][2], /<title>1\.00 s: World<\/title>/);
  assert.match(lanes[1][2], />setTimeout 1000 ms</);
});

test('promise-all: exactly five timer rows plus main, overlap ×5.0 in the caption', () => {
  const svg = renderTimelineSvg(PROMISE_ALL);
  assert.deepEqual(laneGroups(svg).map((m) => m[1]), ['main', 'timer', 'timer', 'timer', 'timer', 'timer']);
  assert.match(svg, /overlap ×5\.0/);
  // Five writes at 0 ms are one dot whose tooltip lists the first four and counts the rest.
  assert.match(svg, /<title>0 ms: Starting job 1\n0 ms: Starting job 2\n0 ms: Starting job 3\n0 ms: Starting job 4\n… and 1 more<\/title>/);
});

test('blocking-jobs: the blocked band covers at least 95% of the plot', () => {
  const svg = renderTimelineSvg(BLOCKING_JOBS);
  const covered = blockedWidths(svg).reduce((a, b) => a + b, 0);
  assert.ok(covered >= 0.95 * plotWidth(svg), `blocked ${covered} px of ${plotWidth(svg)} px`);
});

test('blocking-jobs: no timer or I/O to compare, so the caption names no overlap', () => {
  assert.equal(renderTimelineText(BLOCKING_JOBS).split('\n')[0], 'wall 5.00 s · blocked 5.00 s');
  assert.match(renderTimelineSvg(BLOCKING_JOBS), />wall 5\.00 s · blocked 5\.00 s</);
});

test('promise-all: tiny blocked spans stay visible but narrow', () => {
  const widths = blockedWidths(renderTimelineSvg(PROMISE_ALL));
  assert.equal(widths.length, 2);
  for (const width of widths) assert.ok(width >= 1 && width < 3, `band ${width} px`);
});

test('axis ticks are 1-2-5 steps, in seconds for a long cell and in ms for a short one', () => {
  const ticks = (svg) => [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle" font-size="11">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(ticks(renderTimelineSvg(HELLO_WORLD)), ['0', '0.2 s', '0.4 s', '0.6 s', '0.8 s', '1.0 s']);
  assert.deepEqual(ticks(renderTimelineSvg(BLOCKING_JOBS)), ['0', '1 s', '2 s', '3 s', '4 s', '5 s']);
  const short = timeline({ wallMs: 12, lanes: [main(12, [])] });
  assert.deepEqual(ticks(renderTimelineSvg(short)), ['0', '2 ms', '4 ms', '6 ms', '8 ms', '10 ms', '12 ms']);
});

test('text: header, lane labels, and a blocked row that is solid for blocking jobs and empty for Promise.all', () => {
  const hello = renderTimelineText(HELLO_WORLD);
  assert.equal(hello.split('\n')[0], 'wall 1.00 s · overlap ×1.0 · blocked 500 µs');
  assert.match(hello, /^main {2,}•─+•$/m);
  assert.match(hello, /^setTimeout 1000 ms +━+$/m);

  const blocking = renderTimelineText(BLOCKING_JOBS);
  assert.ok(share(blockedRow(blocking), '█') >= 0.95, blockedRow(blocking));

  const all = renderTimelineText(PROMISE_ALL);
  for (let n = 1; n <= 5; n++) assert.match(all, new RegExp(`^Finishing job ${n} +━+•$`, 'm'));
  assert.ok(share(blockedRow(all), '░') >= 0.9, blockedRow(all));
  assert.ok(chartLines(all).length <= PROMISE_ALL.lanes.length + 3);
});

test('text honours the requested width', () => {
  for (const width of [50, 72, 100]) {
    for (const line of chartLines(renderTimelineText(PROMISE_ALL, width)).slice(1)) {
      assert.ok(Array.from(line).length <= width, `${Array.from(line).length} > ${width}: ${line}`);
    }
  }
});

test('a lane still pending at the cell end: `>` in text, dashed bar with "(pending)" in SVG', () => {
  const data = timeline({ wallMs: 500, lanes: [main(500, []), timer('setTimeout 2000 ms', 10, undefined)] });
  assert.match(renderTimelineText(data), /^setTimeout 2000 ms +━+>$/m);
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.match(laneGroups(svg)[1][2], /<g class="pending">.*stroke-dasharray=.*\(pending\)/s);
});

test('200 lanes: 39 drawn, one "+161 more" row, and a note saying so', () => {
  const lanes = [main(1000, []), ...Array.from({ length: 199 }, (_, i) => timer(`setTimeout ${i} ms`, i, i + 100))];
  const data = timeline({ wallMs: 1000, lanes });
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.equal(laneGroups(svg).length, 39);
  assert.equal(count(svg, /<g class="lane-more"/g), 1);
  assert.match(svg, />\+161 more</);
  assert.match(svg, /Showing 39 of 200 lanes; the last row merges the other 161\./);

  const text = renderTimelineText(data);
  assert.match(text, /^\+161 more/m);
  assert.ok(chartLines(text).length <= 40 + 3, `${chartLines(text).length} lines`);
});

test('lanes dropped by the recorder are mentioned in both renderings', () => {
  const data = { ...HELLO_WORLD, droppedLanes: 3 };
  assert.match(renderTimelineSvg(data), /3 more lanes not recorded \(over the recording cap\)/);
  assert.match(renderTimelineText(data).split('\n')[0], / · 3 more lanes not recorded$/);
});

test('blocked spans merged past the recording cap are mentioned in both renderings, with dropped lanes', () => {
  const data = { ...HELLO_WORLD, droppedLanes: 3, mergedSpans: 1 };
  const note = '3 more lanes not recorded; 1 later blocked span drawn as part of the last one';
  assert.ok(renderTimelineSvg(data).includes(`${note} (over the recording cap).`));
  assert.ok(renderTimelineText(data).split('\n')[0].endsWith(` · ${note}`));
});

test('labels and printed text are escaped; control characters cannot break the XML', () => {
  const data = timeline({
    wallMs: 100,
    lanes: [main(100, [{ atMs: 5, text: '\x1b[31m<b>"red" & \'bold\'</b>\x1b[0m\x07' }]), timer('<script>&"x"</script>', 0, 50)],
  });
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /<script>|<b>/);
  assert.match(svg, /&lt;script&gt;&amp;&quot;x&quot;/);
  assert.match(svg, /&lt;b&gt;&quot;red&quot; &amp; &#39;bold&#39;&lt;\/b&gt;/);
});

test('colour codes in a label are stripped in text, so the columns stay aligned', () => {
  const data = timeline({ wallMs: 100, lanes: [main(100, []), timer('\x1b[32mready\x1b[0m\nnow', 0, 100)] });
  assert.match(renderTimelineText(data), /^ready now +━+$/m);
});

test('long labels are cut with an ellipsis and keep the full text as a tooltip', () => {
  const label = 'fetch https://example.com/a/very/long/path?with=query';
  const data = timeline({ wallMs: 100, lanes: [main(100, []), { ...timer(label, 0, 80), kind: 'io' }] });
  const svg = renderTimelineSvg(data);
  assert.match(svg, />fetch https:\/\/example\S*…<title>fetch https:\/\/example\.com\/a\/very\/long\/path\?with=query</);
  assert.match(renderTimelineText(data), /^fetch https:\/\/example\S*… +━/m);
});

test('an empty cell renders without dividing by zero', () => {
  const data = timeline({ wallMs: 0, lanes: [main(0, [])] });
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.doesNotMatch(renderTimelineText(data), /NaN|Infinity/);
});

test('timelineBundle: the SVG as an <img> in HTML (nbconvert 6.5 strips SVG outputs), the figures as text under it', () => {
  const bundle = timelineBundle(RUDE);
  assert.deepEqual(Object.keys(bundle).sort(), ['text/html', 'text/plain']);
  assert.equal(bundle['text/plain'], renderTimelineText(RUDE));
  const src = /<img class="tempo-timeline" src="data:image\/svg\+xml;base64,([^"]+)" width="760" height="\d+" alt="wall 906 ms/.exec(bundle['text/html']);
  assert.ok(src, bundle['text/html'].slice(0, 200));
  assert.equal(Buffer.from(src[1], 'base64').toString(), renderTimelineSvg(RUDE));
  assert.match(bundle['text/html'], /<pre[^>]*>lane +start +due +fired +late +ran\n/);
});

// The tutorial's rude job: polite timers due at 500 ms run at ~905 ms, after the rude job's 800 ms callback.
const RUDE = timeline({
  wallMs: 906,
  lanes: [
    main(906, []),
    timer('politeJob · sleep(500)', 0.6, 905.5, [{ atMs: 905.2, text: 'polite job 1 done' }], { dueMs: 500.6, firedMs: 905.1, runs: [{ startMs: 905.1, endMs: 905.5 }] }),
    timer('rudeJob · sleep(100)', 0.9, 904, [{ atMs: 903.9, text: 'rude job done' }], { dueMs: 100.9, firedMs: 101.5, runs: [{ startMs: 101.5, endMs: 904 }] }),
    timer('politeJob · sleep(500)', 0.7, 905.6, [{ atMs: 905.3, text: 'polite job 2 done' }], { dueMs: 500.7, firedMs: 905.2, runs: [{ startMs: 905.2, endMs: 905.6 }] }),
  ],
  blocked: [{ startMs: 0, endMs: 1 }, { startMs: 101.5, endMs: 905.6 }],
  overlap: 3,
});

test('late: the late part is striped and labelled in the SVG, drawn with ~ and listed in the text', () => {
  const svg = renderTimelineSvg(RUDE);
  assertWellFormed(svg);
  assert.equal(count(svg, /<rect class="late"/g), 1, 'the two polite timers are one row, late once');
  assert.match(svg, />late by 405 ms</);
  assert.match(svg, /<pattern id="late"/);
  const text = renderTimelineText(RUDE);
  assert.match(text, /^politeJob · sleep\(500\) ×2 +━+~+•?$/m);
  assert.match(text, /^politeJob · sleep\(500\) ×2 +600 µs +501 ms +905 ms +late by 405 ms +800 µs$/m);
  assert.match(text, /^rudeJob · sleep\(100\) +900 µs +101 ms +102 ms +– +803 ms$/m);
});

test('an interval cleared before it could tick is late from due to cleared, and never fired', () => {
  const data = timeline({ wallMs: 1000, lanes: [main(1000, []), timer('startTicker · setInterval 200 ms', 1, 1000, [], { dueMs: 201 })], blocked: [{ startMs: 0, endMs: 1000 }] });
  const text = renderTimelineText(data);
  assert.match(text, /^startTicker · setInterval 200 ms +1\.00 ms +201 ms +never +late by 799 ms +–$/m);
  assert.match(renderTimelineSvg(data), />late by 799 ms</);
});

test('a callback\'s run is drawn on its own lane: the rude job\'s 800 ms are where the red band comes from', () => {
  const svg = renderTimelineSvg(RUDE);
  const rude = laneGroups(svg).find((m) => m[2].includes('rudeJob'))[2];
  const run = /<rect class="run" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(rude);
  assert.ok(run && Number(run[2]) >= 0.85 * plotWidth(svg), `run ${run?.[2]} px of ${plotWidth(svg)}`);
  assert.match(rude, />ran 803 ms</);
  assert.match(renderTimelineText(RUDE), /^rudeJob · sleep\(100\) +━+█{20,}/m);
});

test('the header prints the timing line\'s blocked figure, digit for digit', () => {
  for (const data of [RUDE, HELLO_WORLD, BLOCKING_JOBS]) {
    const header = renderTimelineText(data).split('\n')[0];
    const line = timingText({ wallMs: data.wallMs, blockedMs: data.blockedMs, timers: 0, io: 0, promises: 0, pending: [], overlap: data.overlap, cpuUserMs: 0, cpuSystemMs: 0 });
    assert.equal(/blocked ([\d.]+ \S+)/.exec(header)[1], /event loop blocked ([\d.]+ \S+)/.exec(line)[1]);
  }
  // The chart's spans are not re-added: the clock's figure is the one printed.
  assert.match(renderTimelineText({ ...HELLO_WORLD, blockedMs: 7 }).split('\n')[0], /blocked 7\.00 ms$/);
});

test('identical lanes are one row marked ×N; 10,000 timers stay under 150 KB of SVG', (t) => {
  const burst = Array.from({ length: 1000 }, (_, i) => timer('sleep(50)', i * 0.001, 50 + i * 0.001, [], { dueMs: 50 + i * 0.001, firedMs: 50.2 }));
  const one = renderTimelineText(timeline({ wallMs: 52, lanes: [main(52, []), ...burst] }));
  assert.deepEqual(chartLines(one).filter((line) => line.startsWith('sleep')).length, 1);
  assert.match(one, /^sleep\(50\) ×1000 /m);
  // Three origins started in turn, each timer late and printing once: 40 rows, 10,000 dots' worth of output.
  const many = Array.from({ length: 10_000 }, (_, i) => timer(`job${i % 3} · sleep(${10 + (i % 3)})`, i * 0.1, i * 0.1 + 50, [{ atMs: i * 0.1 + 50, text: `done ${i}` }], { dueMs: i * 0.1 + 10 + (i % 3), firedMs: i * 0.1 + 50, runs: [{ startMs: i * 0.1 + 50, endMs: i * 0.1 + 50.01 }] }));
  const data = timeline({ wallMs: 1100, lanes: [main(1100, []), ...many] });
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.ok(svg.length < 150_000, `${svg.length} bytes`);
  t.diagnostic(`10,000 timers: ${svg.length} bytes of SVG`);
});

test('the legend defines overlap, blocked, ×N and late, in the SVG and in the text', () => {
  for (const rendering of [renderTimelineSvg(RUDE), renderTimelineText(RUDE)]) {
    assert.match(rendering, /overlap = total waiting ÷ wall/);
    assert.match(rendering, /×N = N identical lanes/);
    assert.match(rendering, /late = ran after it was due/);
  }
  assert.match(renderTimelineSvg(RUDE), />late \(due → ran\)</);
  assert.match(renderTimelineSvg(RUDE), />callback running</);
  assert.doesNotMatch(renderTimelineSvg(PROMISE_ALL), /\(\+\d+\)/, 'no unexplained (+N) badges');
});

// Not an assertion: the three charts for a person to look at (render them with rsvg-convert).
test('writes the seed examples to test-output/', () => {
  const folder = new URL('../../test-output/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  for (const [name, data] of Object.entries({ ...FIXTURES, rude: RUDE })) {
    writeFileSync(new URL(`timeline-${name}.svg`, folder), renderTimelineSvg(data));
    writeFileSync(new URL(`timeline-${name}.txt`, folder), `${renderTimelineText(data)}\n`);
  }
});
