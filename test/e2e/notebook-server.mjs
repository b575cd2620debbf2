// Helpers for the end-to-end browser suite: a classic Jupyter Notebook server (Debian's
// /usr/bin/jupyter-notebook) that sees only a freshly installed Tempo kernelspec, and a headless
// Debian chromium driven by playwright-core. Nothing here touches the user's Jupyter setup or
// downloads a browser. See /work/shared/notes/browser-testing.md for how these were found to work.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pollUntil } from '../helpers/poll-until.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outputDir = path.join(repo, 'test-output');
export const tutorialNotebook = path.join(repo, 'notebooks', '01-async-basics.ipynb');

const JUPYTER_NOTEBOOK = '/usr/bin/jupyter-notebook';
const JUPYTER_SERVER_PYTHON = '/usr/bin/python3';
const CHROMIUM = '/usr/bin/chromium';
export { pollUntil };
export const VIEWPORT = { width: 1200, height: 900 };


function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** An nbformat 4 notebook for the Tempo kernel whose code cells have the given sources. */
export function tempoNotebook(codeSources) {
  return {
    cells: codeSources.map((source, i) => ({ id: `cell-${i}`, cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: {
      kernelspec: { name: 'tempo', display_name: 'TypeScript (Tempo)', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript', codemirror_mode: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Installs the Tempo kernelspec into a temp prefix, copies the given notebooks into a temp notebook
 * dir and starts a classic notebook server on a free port with a random token. Resolves once
 * `GET /api?token=...` answers.
 *
 * @param {object} options
 * @param {string[]} [options.notebooks] paths of notebooks to copy (by base name)
 * @param {Record<string, object>} [options.extraNotebooks] name -> nbformat JSON to write
 * @param {string} [options.logName] if set, the server log is written to test-output/<logName>.log on stop
 * @returns {Promise<{url: string, token: string, notebookDir: string, notebookUrl(name: string): string,
 *   api(pathname: string, init?: object): Promise<any>, log(): string, stop(): Promise<void>}>}
 */
export async function startNotebookServer(options = {}) {
  return startServer('notebook', options);
}

/**
 * Like startNotebookServer, but starts Debian's jupyter_server (the server JupyterLab talks to,
 * `python3 -m jupyter_server`; it serves no UI) instead of the classic notebook server.
 */
export async function startJupyterServer(options = {}) {
  return startServer('jupyter_server', options);
}

async function startServer(kind, { notebooks = [], extraNotebooks = {}, logName, startTimeoutMs = 30_000 } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'tempo-e2e-'));
  const prefix = path.join(root, 'prefix');
  const notebookDir = path.join(root, 'notebooks');
  const home = path.join(root, 'home');
  const runtimeDir = path.join(root, 'runtime');
  for (const dir of [prefix, notebookDir, home, runtimeDir, path.join(root, 'config'), path.join(root, 'data')]) {
    mkdirSync(dir, { recursive: true });
  }
  let child;
  let logText = '';
  let stopped = false;

  const cleanupDirs = () => rmSync(root, { recursive: true, force: true });

  try {
    const install = spawnSync(process.execPath, [path.join(repo, 'bin', 'tempo'), 'install', '--prefix', prefix, '--name', 'tempo'], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`tempo install failed:\n${install.stdout}\n${install.stderr}`);
    for (const file of notebooks) copyFileSync(file, path.join(notebookDir, path.basename(file)));
    for (const [name, json] of Object.entries(extraNotebooks)) {
      writeFileSync(path.join(notebookDir, name), JSON.stringify(json, null, 1));
    }

    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const url = `http://127.0.0.1:${port}/`;
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
      JUPYTER_RUNTIME_DIR: runtimeDir,
      JUPYTER_CONFIG_DIR: path.join(root, 'config'),
      JUPYTER_DATA_DIR: path.join(root, 'data'),
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      LANG: 'C.UTF-8',
    };
    const [command, args] = kind === 'jupyter_server'
      ? [JUPYTER_SERVER_PYTHON, [
        '-m', 'jupyter_server', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
        `--ServerApp.token=${token}`, '--no-browser', '--allow-root', `--ServerApp.root_dir=${notebookDir}`,
      ]]
      : [JUPYTER_NOTEBOOK, [
        '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`,
        '--no-browser', '--allow-root', `--notebook-dir=${notebookDir}`,
      ]];
    child = spawn(command, args, { env, cwd: notebookDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => (logText += chunk);
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let exitInfo = null;
    exited.then((info) => (exitInfo = info));

    const api = async (pathname, init = {}) => {
      const sep = pathname.includes('?') ? '&' : '?';
      const res = await fetch(`${url}${pathname.replace(/^\//, '')}${sep}token=${token}`, init);
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${pathname}: HTTP ${res.status}`);
      return res.status === 204 ? null : res.json();
    };

    try {
      await pollUntil(async () => {
        if (exitInfo) throw Object.assign(new Error('server exited'), { fatal: true });
        return (await api('/api')).version;
      }, { timeoutMs: startTimeoutMs, intervalMs: 150, what: `${kind} at ${url}` });
    } catch (err) {
      throw new Error(`${err.message}${exitInfo ? ` (exit ${JSON.stringify(exitInfo)})` : ''}\n--- server log ---\n${logText}`);
    }

    /** Kills processes still running with our runtime dir on their command line (kernels). */
    const killStrays = () => {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (cmdline.includes(runtimeDir) && Number(pid) !== process.pid) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {}
        }
      }
    };

    const stop = async () => {
      if (stopped) return;
      stopped = true;
      try {
        // Shut kernels down through the API first: the server starts them in their own sessions,
        // so killing the server's process group alone would not reach them.
        try {
          const kernels = await api('/api/kernels');
          await Promise.all(kernels.map((k) => api(`/api/kernels/${k.id}`, { method: 'DELETE' }).catch(() => {})));
        } catch {}
        const killGroup = (signal) => {
          try {
            process.kill(-child.pid, signal);
          } catch {}
        };
        if (!exitInfo) {
          killGroup('SIGTERM');
          const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000).unref())]);
          if (!done) {
            killGroup('SIGKILL');
            await exited;
          }
        }
        killGroup('SIGKILL'); // anything left in the group
        killStrays();
        if (logName) {
          mkdirSync(outputDir, { recursive: true });
          writeFileSync(path.join(outputDir, `${logName}.log`), logText);
        }
      } finally {
        cleanupDirs();
      }
    };

    return {
      url,
      token,
      notebookDir,
      notebookUrl: (name) => `${url}notebooks/${encodeURIComponent(name)}?token=${token}`,
      api,
      log: () => logText,
      stop,
    };
  } catch (err) {
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    cleanupDirs();
    throw err;
  }
}

/**
 * Launches headless Debian chromium with a fresh user-data-dir. Resolves to
 * `{context, page, close()}`; close() closes the browser and removes the profile dir.
 */
export async function launchBrowser({ viewport = VIEWPORT } = {}) {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'tempo-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

// ---- classic notebook UI helpers -------------------------------------------------------------

/** Opens a notebook in the classic UI and waits until it is loaded and its kernel is idle. */
export async function openNotebook(page, server, name, { timeoutMs = 30_000 } = {}) {
  await page.goto(server.notebookUrl(name), { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.waitForFunction(() => window.Jupyter?.notebook?._fully_loaded === true, null, { timeout: timeoutMs, polling: 100 });
  await waitForKernelIdle(page, { timeoutMs });
}

/** Waits until the kernel indicator shows idle and the kernel reports a live connection. */
export async function waitForKernelIdle(page, { timeoutMs = 30_000 } = {}) {
  await page.waitForFunction(
    () => document.querySelector('#kernel_indicator_icon')?.classList.contains('kernel_idle_icon') && Jupyter.notebook.kernel?.is_connected(),
    null,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** State of every code cell: source, prompt number, output text, and whether it has an error output. */
export async function codeCellStates(page) {
  return page.evaluate(() =>
    Jupyter.notebook.get_cells()
      .filter((c) => c.cell_type === 'code')
      .map((c) => ({
        source: c.get_text(),
        prompt: c.input_prompt_number ?? null,
        outputCount: c.output_area.outputs.length,
        text: c.output_area.element[0].innerText,
        hasError: c.output_area.element[0].querySelector('.output_error') !== null,
      })),
  );
}

/** Clicks a menu item of the classic UI: e.g. ('#celllink', '#run_all_cells a'). */
export async function clickMenu(page, menuSelector, itemSelector) {
  await page.click(menuSelector);
  await page.click(itemSelector);
}

/** Index of the first code cell (among code cells) whose source contains `needle`; throws if none. */
export async function codeCellIndex(page, needle) {
  const index = await page.evaluate(
    (n) => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').findIndex((c) => c.get_text().includes(n)),
    needle,
  );
  if (index < 0) throw new Error(`no code cell contains ${JSON.stringify(needle)}`);
  return index;
}

/**
 * Makes the whole notebook fit the viewport (the classic UI scrolls inside #site, so a plain
 * fullPage screenshot would only show the visible part), takes the screenshot and restores the size.
 */
export async function fullNotebookScreenshot(page, file) {
  mkdirSync(path.dirname(file), { recursive: true });
  const original = page.viewportSize();
  const height = await page.evaluate(() => {
    const header = document.querySelector('#header')?.getBoundingClientRect().height ?? 0;
    return Math.ceil(header + document.querySelector('#notebook').scrollHeight + 40);
  });
  await page.setViewportSize({ width: original.width, height: Math.max(original.height, Math.min(height, 16_000)) });
  try {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.setViewportSize(original);
  }
}

/** Runs the code cell at `index` (among code cells) from the UI: click into it, press Ctrl+Enter. */
export async function runCodeCell(page, index) {
  const before = await page.evaluate((i) => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i].input_prompt_number ?? null, index);
  await page.locator('.cell.code_cell').nth(index).locator('.input_area').click();
  await page.keyboard.press('Control+Enter');
  return before;
}

/**
 * Waits until the code cell at `index` has finished a run started after its prompt showed `before`
 * (its prompt shows a new execution count) and the kernel indicator is idle; returns its state.
 */
export async function waitForCodeCellDone(page, index, before, { timeoutMs = 30_000 } = {}) {
  await page.waitForFunction(
    ([i, prev]) => {
      const cell = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code')[i];
      const prompt = cell.input_prompt_number;
      return typeof prompt === 'number' && prompt !== prev && document.querySelector('#kernel_indicator_icon')?.classList.contains('kernel_idle_icon');
    },
    [index, before],
    { timeout: timeoutMs, polling: 100 },
  );
  return (await codeCellStates(page))[index];
}

/** Records notebook kernel events (kernel_dead, kernel_restarting, ...) in window.__tempoEvents. */
export async function recordKernelEvents(page) {
  await page.evaluate(() => {
    if (window.__tempoEvents) return;
    window.__tempoEvents = [];
    const names = ['kernel_busy', 'kernel_idle', 'kernel_restarting', 'kernel_ready', 'kernel_dead', 'kernel_disconnected',
      'kernel_reconnecting', 'kernel_connected', 'kernel_autorestarting', 'kernel_interrupting', 'kernel_killed', 'kernel_connection_failed'];
    for (const name of names) {
      Jupyter.notebook.events.on(`${name}.Kernel`, () => window.__tempoEvents.push({ name, t: Date.now() }));
    }
  });
}

/** Kernel events recorded since recordKernelEvents, minus busy/idle noise. */
export async function kernelEvents(page) {
  return page.evaluate(() => (window.__tempoEvents ?? []).filter((e) => e.name !== 'kernel_busy' && e.name !== 'kernel_idle'));
}

/**
 * Starts a notebook server (options as startNotebookServer) and a browser in parallel. If either
 * fails, the other is stopped before the error is rethrown, so nothing is left running.
 */
export async function startServerAndBrowser(serverOptions = {}, browserOptions = {}) {
  const [s, b] = await Promise.allSettled([startNotebookServer(serverOptions), launchBrowser(browserOptions)]);
  if (s.status === 'fulfilled' && b.status === 'fulfilled') return { server: s.value, browser: b.value };
  await Promise.allSettled([s.status === 'fulfilled' && s.value.stop(), b.status === 'fulfilled' && b.value.close()]);
  throw s.status === 'rejected' ? s.reason : b.reason;
}
