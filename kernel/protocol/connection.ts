import { readFileSync } from 'node:fs';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

export type SocketName = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

export class ConnectionFileError extends Error {}

export function readConnectionFile(path: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${(error as Error).message}`);
  }
  return parseConnectionInfo(raw);
}

/** Validates the fields a kernel needs; unknown fields (kernel_name, curve keys…) are ignored. */
export function parseConnectionInfo(raw: unknown): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null) throw new ConnectionFileError('connection file is not a JSON object');
  const info = raw as Record<string, unknown>;
  const transport = info.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new ConnectionFileError(`unsupported transport ${JSON.stringify(transport)}`);
  const ip = info.ip ?? (transport === 'tcp' ? '127.0.0.1' : 'kernel-ipc');
  if (typeof ip !== 'string' || ip === '') throw new ConnectionFileError('ip must be a non-empty string');
  const port = (name: string): number => {
    const value = info[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new ConnectionFileError(`${name} must be a port number`);
    }
    return value;
  };
  const key = info.key ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError('key must be a string');
  const scheme = info.signature_scheme ?? 'hmac-sha256';
  if (typeof scheme !== 'string') throw new ConnectionFileError('signature_scheme must be a string');
  return {
    transport,
    ip,
    shell_port: port('shell_port'),
    iopub_port: port('iopub_port'),
    stdin_port: port('stdin_port'),
    control_port: port('control_port'),
    hb_port: port('hb_port'),
    key,
    signature_scheme: scheme,
  };
}

/** ZeroMQ endpoint for one socket (kernels.rst: ipc uses `{ip}-{port}` as the path). */
export function endpoint(info: ConnectionInfo, socket: SocketName): string {
  const port = info[`${socket}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
