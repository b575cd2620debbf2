/**
 * Node 20 reads NODE_EXTRA_CA_CERTS as each process starts, TLS or not: ~45 ms for Debian's
 * bundle here, a third of the kernel's start. The kernel process makes no TLS connection, so it
 * starts without the variable, kept under SAVED_CA_CERTS; the executor, where user code may use
 * HTTPS, gets it back.
 */
const SAVED_CA_CERTS = 'TEMPO_NODE_EXTRA_CA_CERTS';

/**
 * The environment `tempo run` starts its kernel in. Started as `bin/tempo`, the runner itself
 * runs without the variable (bin/tempo moved it aside), and the kernel inherits that as it is.
 */
export function kernelLaunchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!('NODE_EXTRA_CA_CERTS' in env)) return env;
  const { NODE_EXTRA_CA_CERTS: certs, ...rest } = env;
  return { ...rest, [SAVED_CA_CERTS]: certs };
}

/**
 * V8 flags for the kernel process, however it is started (the kernelspec, `tempo run`). It runs
 * no user code, only the protocol and the checker's client: lite mode (no optimizing compilers,
 * feedback allocated lazily) keeps it smaller. Lite mode leaves WebAssembly out too, and warns
 * on stderr unless told so with --no-expose-wasm. Cells run in the executor, without them.
 */
export const KERNEL_NODE_FLAGS = ['--lite-mode', '--no-expose-wasm'];

/** The same for Jupyter, as the argv prefix of the kernelspec: a POSIX shell runs the command after it. */
export const KERNEL_LAUNCH_ARGV = ['/bin/sh', '-c', `export ${SAVED_CA_CERTS}="\${NODE_EXTRA_CA_CERTS-}"; unset NODE_EXTRA_CA_CERTS; exec "$@"`, 'tempo-kernel'];

/** The environment the kernel starts its executor in: NODE_EXTRA_CA_CERTS as the kernel was given it. */
export function executorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!(SAVED_CA_CERTS in env)) return env;
  const { [SAVED_CA_CERTS]: certs, ...rest } = env;
  return certs ? { ...rest, NODE_EXTRA_CA_CERTS: certs } : rest;
}
