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

const main = (endMs, marks) => ({ label: 'main', kind: 'main', startMs: 0, endMs, marks });
const timer = (label, startMs, endMs, marks = []) => ({ label, kind: 'timer', startMs, endMs, marks });
const timeline = (fields) => ({ overlap: 0, blocked: [], droppedLanes: 0, mergedSpans: 0, ...fields });

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
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="tempo-timeline" width="720" height="\d+" viewBox="0 0 720 \d+"/);
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
  // Five writes at 0 ms are one dot whose tooltip lists them all.
  assert.match(svg, /<title>0 ms: Starting job 1\n0 ms: Starting job 2\n0 ms: Starting job 3\n0 ms: Starting job 4\n0 ms: Starting job 5<\/title>/);
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
  assert.ok(all.split('\n').length <= PROMISE_ALL.lanes.length + 4);
});

test('text honours the requested width', () => {
  for (const width of [50, 72, 100]) {
    for (const line of renderTimelineText(PROMISE_ALL, width).split('\n').slice(1)) {
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
  assert.ok(text.split('\n').length <= 40 + 4, `${text.split('\n').length} lines`);
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
  assert.match(svg, />fetch https:\/\/example…<title>fetch https:\/\/example\.com/);
  assert.match(renderTimelineText(data), /^fetch https:\/\/examp… /m);
});

test('an empty cell renders without dividing by zero', () => {
  const data = timeline({ wallMs: 0, lanes: [main(0, [])] });
  const svg = renderTimelineSvg(data);
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.doesNotMatch(renderTimelineText(data), /NaN|Infinity/);
});

test('timelineBundle carries both renderings', () => {
  assert.deepEqual(timelineBundle(HELLO_WORLD), {
    'image/svg+xml': renderTimelineSvg(HELLO_WORLD),
    'text/plain': renderTimelineText(HELLO_WORLD),
  });
});

// Not an assertion: the three charts for a person to look at (render them with rsvg-convert).
test('writes the seed examples to test-output/', () => {
  const folder = new URL('../../test-output/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  for (const [name, data] of Object.entries(FIXTURES)) {
    writeFileSync(new URL(`timeline-${name}.svg`, folder), renderTimelineSvg(data));
    writeFileSync(new URL(`timeline-${name}.txt`, folder), `${renderTimelineText(data)}\n`);
  }
});
