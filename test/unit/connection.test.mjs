// Connection files (jupyter_client docs kernels.rst "Connection files"): the fields the kernel
// needs, tcp and ipc endpoints, and clear errors for files it cannot use.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { parseConnectionInfo, readConnectionFile, endpoint, ConnectionFileError } = require('../../dist/protocol/connection.js');

/** What ipykernel / jupyter_client write (`write_connection_file`), including fields we do not use. */
function ipykernelStyle(overrides = {}) {
  return {
    shell_port: 53794,
    iopub_port: 53795,
    stdin_port: 53796,
    control_port: 53798,
    hb_port: 53797,
    ip: '127.0.0.1',
    key: 'a0436f6c-1916-498b-8eb9-e81ab9368e84',
    transport: 'tcp',
    signature_scheme: 'hmac-sha256',
    kernel_name: 'tempo',
    jupyter_session: '/home/user/notebook.ipynb',
    ...overrides,
  };
}

const SOCKETS = ['shell', 'iopub', 'stdin', 'control', 'hb'];

test('parses an ipykernel-style connection file and ignores unknown fields', () => {
  const info = parseConnectionInfo(ipykernelStyle({ curve_publickey: 'x', curve_secretkey: 'y', future_field: { nested: true } }));
  assert.deepEqual(info, {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: 53794,
    iopub_port: 53795,
    stdin_port: 53796,
    control_port: 53798,
    hb_port: 53797,
    key: 'a0436f6c-1916-498b-8eb9-e81ab9368e84',
    signature_scheme: 'hmac-sha256',
  });
});

test('tcp endpoints are tcp://IP:PORT for each socket', () => {
  const info = parseConnectionInfo(ipykernelStyle());
  assert.deepEqual(
    SOCKETS.map((socket) => endpoint(info, socket)),
    ['tcp://127.0.0.1:53794', 'tcp://127.0.0.1:53795', 'tcp://127.0.0.1:53796', 'tcp://127.0.0.1:53798', 'tcp://127.0.0.1:53797'],
  );
});

test('ipc endpoints are ipc://{ip}-{port} (the ip field is a path prefix)', () => {
  const info = parseConnectionInfo(ipykernelStyle({ transport: 'ipc', ip: '/tmp/tempo-kernel-1', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 }));
  assert.equal(info.transport, 'ipc');
  assert.deepEqual(
    SOCKETS.map((socket) => endpoint(info, socket)),
    ['ipc:///tmp/tempo-kernel-1-1', 'ipc:///tmp/tempo-kernel-1-2', 'ipc:///tmp/tempo-kernel-1-3', 'ipc:///tmp/tempo-kernel-1-4', 'ipc:///tmp/tempo-kernel-1-5'],
  );
});

test('defaults: transport tcp, empty key, hmac-sha256', () => {
  const { transport, key, signature_scheme, ...ports } = ipykernelStyle();
  assert.ok(transport && key && signature_scheme);
  const info = parseConnectionInfo(ports);
  assert.equal(info.transport, 'tcp');
  assert.equal(info.key, '');
  assert.equal(info.signature_scheme, 'hmac-sha256');
});

/** Asserts a ConnectionFileError whose message matches `pattern`. */
function assertConnectionError(fn, pattern) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof ConnectionFileError, `expected ConnectionFileError, got ${error?.constructor?.name}: ${error?.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a missing port is an error that names the port', () => {
  for (const name of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port']) {
    const raw = ipykernelStyle();
    delete raw[name];
    assertConnectionError(() => parseConnectionInfo(raw), new RegExp(`${name} must be a port number`));
  }
});

test('a port that is not an integer in 0..65535 is an error', () => {
  for (const bad of ['53794', 1.5, -1, 65536, null]) {
    assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ shell_port: bad })), /shell_port must be a port number/);
  }
});

test('an unsupported transport is an error that names it', () => {
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ transport: 'udp' })), /unsupported transport "udp"/);
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ transport: 'TCP' })), /unsupported transport/);
});

test('ip, key and signature_scheme of the wrong type are errors', () => {
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ ip: '' })), /ip must be a non-empty string/);
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ ip: 127 })), /ip must be a non-empty string/);
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ key: 42 })), /key must be a string/);
  assertConnectionError(() => parseConnectionInfo(ipykernelStyle({ signature_scheme: ['hmac-sha256'] })), /signature_scheme must be a string/);
});

test('a value that is not a JSON object is an error', () => {
  for (const raw of [null, 'tcp://127.0.0.1', 42, undefined]) {
    assertConnectionError(() => parseConnectionInfo(raw), /not a JSON object/);
  }
});

test('parseConnectionInfo rejects a JSON array (not a connection object)', () => {
  // An array is typeof 'object', but has none of the fields; it must still fail with a clear message.
  assertConnectionError(() => parseConnectionInfo([]), /not a JSON object|must be/);
});

function withTmp(fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tempo-connection-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('readConnectionFile reads and validates a file on disk', () => {
  withTmp((dir) => {
    const file = path.join(dir, 'kernel-1234.json');
    writeFileSync(file, JSON.stringify(ipykernelStyle(), null, 1));
    const info = readConnectionFile(file);
    assert.equal(info.shell_port, 53794);
    assert.equal(endpoint(info, 'hb'), 'tcp://127.0.0.1:53797');
  });
});

test('readConnectionFile: a missing file is a clear error naming the path', () => {
  withTmp((dir) => {
    const file = path.join(dir, 'no-such-kernel.json');
    assertConnectionError(() => readConnectionFile(file), /cannot read connection file .*no-such-kernel\.json.*ENOENT/);
  });
});

test('readConnectionFile: a file that is not JSON is a clear error naming the path', () => {
  withTmp((dir) => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{"shell_port": 1,');
    assertConnectionError(() => readConnectionFile(file), /cannot read connection file .*broken\.json/);
  });
});

test('readConnectionFile: valid JSON with a bad field reports the field', () => {
  withTmp((dir) => {
    const file = path.join(dir, 'bad-transport.json');
    writeFileSync(file, JSON.stringify(ipykernelStyle({ transport: 'inproc' })));
    assertConnectionError(() => readConnectionFile(file), /unsupported transport "inproc"/);
  });
});
