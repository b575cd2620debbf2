// JupyterLab 4's own UI, driven as a person drives it: the build (test/jupyterlab), opening a
// notebook, menus, the toolbar, the keyboard, and what the page's console says.
import { spawnSync } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { requireTool } from '../helpers/require-tool.mjs';
import { launchBrowser, repo, startLabServer } from './notebook-server.mjs';

const LAB = path.join(repo, 'test', 'jupyterlab');

/** Why the JupyterLab suite cannot run here, or false: it needs Debian's server side of JupyterLab. */
export const LAB_MISSING = requireTool(
  spawnSync('/usr/bin/python3', ['-c', 'import jupyterlab_server'], { stdio: 'ignore' }).status !== 0 && "Debian's jupyterlab_server is not importable by /usr/bin/python3 (apt-get install python3-jupyterlab-server)",
);
const BUNDLE = path.join(LAB, 'build', 'bundle.js');
const SOURCES = ['package.json', 'index.js', 'rspack.config.js'].map((name) => path.join(LAB, name));

/**
 * Builds the lab unless build/ is newer than its sources: `npm install` in test/jupyterlab (its
 * own package.json, ~60 s and ~560 MB the first time, so the main install stays small), then
 * rspack (~5 s). Returns what it did, for the log.
 */
export function ensureLabBuilt() {
  const fresh = existsSync(BUNDLE) && SOURCES.every((file) => statSync(file).mtimeMs <= statSync(BUNDLE).mtimeMs);
  if (fresh) return 'JupyterLab build is up to date';
  const run = (args) => {
    const result = spawnSync('npm', args, { cwd: LAB, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`npm ${args.join(' ')} in test/jupyterlab failed:\n${result.stdout}\n${result.stderr}`);
  };
  const started = Date.now();
  // npm records each install in node_modules/.package-lock.json: older than package.json means a dependency changed.
  const installRecord = path.join(LAB, 'node_modules', '.package-lock.json');
  if (!existsSync(installRecord) || statSync(installRecord).mtimeMs < statSync(path.join(LAB, 'package.json')).mtimeMs) run(['install', '--no-audit', '--no-fund']);
  const installed = Date.now();
  run(['run', 'build']);
  return `JupyterLab built: install ${((installed - started) / 1000).toFixed(1)} s, build ${((Date.now() - installed) / 1000).toFixed(1)} s`;
}

/**
 * Console messages JupyterLab 4.6 prints on Debian's older jupyter_server 1.23: endpoints 2.x
 * added (/api/me, /api/events), the websocket protocol it falls back to, and Yjs's notes about
 * shared models read before they are attached. None comes from Tempo's messages.
 */
const KNOWN_NOISE = [
  /\/api\/(me|events\/subscribe)\b/,
  /Failed to load resource: the server responded with a status of 404/,
  /is not valid JSON/,
  /Adapting from protocol version/,
  /kernelInfoTimeout/,
  /Invalid access: Add Yjs type to a document before reading data/,
  /\[yjs#509\] Not same Y\.Doc/,
  /^Starting application in workspace/,
  /Starting WebSocket|WebSocket .* reconnect/i,
  // A kernel restart closes the kernel's websocket on this server; JupyterLab reconnects at once.
  /Connection lost, reconnecting in \d+ seconds/,
];

/** The page's errors and warnings that are not known noise, as they come. */
function watchConsole(page) {
  const problems = [];
  page.on('console', (message) => {
    if (!['error', 'warning'].includes(message.type())) return;
    const text = message.text();
    if (!KNOWN_NOISE.some((pattern) => pattern.test(text))) problems.push(`${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/**
 * One lab server and browser for a test file: registers the hooks that build the lab, start them
 * (with `serverOptions`, as startLabServer takes), open the notebook `open` if given, and stop
 * them. The returned object's `server` and `page` are set once the `before` hook has run;
 * `consoleProblems()` empties and returns what the page's console reported since the last call.
 */
export function labSession({ open, ...serverOptions }) {
  let problems = [];
  const session = { server: undefined, browser: undefined, page: undefined, consoleProblems: () => problems.splice(0) };
  before(async () => {
    if (LAB_MISSING) return;
    console.log(ensureLabBuilt());
    session.server = await startLabServer(serverOptions);
    session.browser = await launchBrowser({ viewport: { width: 1300, height: 900 } });
    session.page = session.browser.page;
    problems = watchConsole(session.page);
    if (open) await openInLab(session.page, session.server, open);
  });
  after(async () => {
    try {
      await session.browser?.close();
    } finally {
      await session.server?.stop();
    }
  });
  return session;
}

/** Opens a notebook in the lab and waits until its kernel says Idle in the status bar. */
export async function openInLab(page, server, name, { timeoutMs = 60_000 } = {}) {
  await page.goto(server.labUrl(name), { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.waitForSelector('body[data-tempo-lab-ready="true"]', { state: 'attached', timeout: timeoutMs });
  // The toolbar's indicator reads idle before the session exists; the status bar waits for it.
  await waitForLabIdle(page, { timeoutMs });
}

export async function waitForLabIdle(page, { timeoutMs = 60_000 } = {}) {
  await page.waitForFunction(() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some((item) => /\| Idle$/.test(item.textContent.trim())), null, { timeout: timeoutMs, polling: 100 });
}

/** Clicks a top menu, then one of its items, by their visible labels. */
export async function labMenu(page, menu, item) {
  await page.click(`.lm-MenuBar-itemLabel:text-is("${menu}")`);
  await page.click(`.lm-Menu-itemLabel:text-is("${item}")`);
}

/** Settings → Theme → `name` (e.g. "JupyterLab Dark"), waiting until the page has switched. */
export async function switchTheme(page, name) {
  await page.click('.lm-MenuBar-itemLabel:text-is("Settings")');
  await page.hover('.lm-Menu-itemLabel:text-is("Theme")');
  await page.click(`.lm-Menu-itemLabel:text-is("${name}")`);
  await page.waitForFunction((theme) => document.body.dataset.jpThemeName === theme, name, { timeout: 20_000 });
}

/** The notebook's code cells, in order, as locators. */
export function codeCells(page) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
}

/** `[n]` of a code cell's prompt: a number once run, '*' while running, '' never run. */
export async function promptOf(cell) {
  const text = (await cell.locator('.jp-InputPrompt').first().innerText()).trim();
  return /\[(.*)\]/.exec(text)?.[1] ?? '';
}

/** Waits until the cell's prompt shows a number other than `before` (it ran and finished). */
export async function waitForRun(cell, before, { timeoutMs = 60_000 } = {}) {
  await cell.page().waitForFunction(
    ([element, previous]) => {
      const prompt = /\[(.*)\]/.exec(element.querySelector('.jp-InputPrompt')?.textContent ?? '')?.[1] ?? '';
      return /^\d+$/.test(prompt) && prompt !== previous;
    },
    [await cell.elementHandle(), before],
    { timeout: timeoutMs, polling: 50 },
  );
}

/** Selects a code cell (command mode) and runs it with Shift+Enter; resolves when it finished. */
export async function runCellWithKeyboard(cell, options) {
  const before = await promptOf(cell);
  await cell.locator('.jp-InputPrompt').first().click();
  await cell.page().keyboard.press('Shift+Enter');
  await waitForRun(cell, before, options);
}

/** Replaces a cell's source by typing, as a person does: click into it, select all, type. */
export async function typeInto(cell, text) {
  await cell.locator('.cm-content').first().click();
  const page = cell.page();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** The text of a cell's outputs, as the page shows it. */
export async function outputText(cell) {
  return cell.locator('.jp-OutputArea').first().innerText();
}
