// Helpers for the browser suite: Jupyter's servers from Debian (jupyter_server alone, or serving
// the JupyterLab build of test/jupyterlab) that see only a freshly installed Tempo kernelspec, and
// a headless Debian chromium driven by playwright-core.
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
 * Installs the Tempo kernelspec into a temp prefix, copies the given notebooks (`notebooks`: paths;
 * `extraNotebooks`: name → nbformat JSON) into a temp folder and starts Debian's jupyter_server
 * (`python3 -m jupyter_server`, no UI) on a free port with a random token. Resolves once `GET /api`
 * answers, to { url, token, notebookDir, labUrl(name), api(path, init), log(), stop() }; with
 * `logName`, the server's log is written to test-output/<logName>.log on stop.
 */
export async function startJupyterServer(options = {}) {
  return startServer('jupyter_server', options);
}

/**
 * Like startJupyterServer, but serves the JupyterLab 4 front end built in test/jupyterlab
 * (lab.mjs builds it) with Debian's jupyter_server and jupyterlab_server; `labUrl(name)` opens a
 * notebook in it.
 */
export async function startLabServer(options = {}) {
  return startServer('lab', options);
}

const LAB_APP = path.join(repo, 'test', 'jupyterlab', 'lab_app.py');

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
      TMPDIR: tmpdir(),
      // The lab's user settings and workspaces, kept with the rest of this server's files.
      TEMPO_LAB_STATE: path.join(root, 'lab-state'),
    };
    const serverArgs = [
      '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
      `--ServerApp.token=${token}`, '--no-browser', '--allow-root', `--ServerApp.root_dir=${notebookDir}`,
      // The server's default is python3: without ipykernel installed, the lab warns on every page.
      '--MappingKernelManager.default_kernel_name=tempo',
    ];
    const args = kind === 'lab' ? [LAB_APP, ...serverArgs] : ['-m', 'jupyter_server', ...serverArgs];
    child = spawn(JUPYTER_SERVER_PYTHON, args, { env, cwd: notebookDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
      // `reset`: no tabs come back from an earlier visit.
      labUrl: (name) => `${url}lab/tree/${encodeURIComponent(name)}?reset&token=${token}`,
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
