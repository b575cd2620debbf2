// Where a suite needs a tool from Debian (jupyter_client, jupyter_kernel_test, ...): on a
// developer's machine the tests that need it skip with the reason; under CI, where .ci/run
// installs every tool, a missing one is a broken install step, so it fails the run.
import { test } from 'node:test';

/**
 * `missing` is why the tool cannot be used, or false when it can. Returns the value for a test's
 * `skip` option; under CI (env CI set) it also adds a test that fails with that reason.
 */
export function requireTool(missing) {
  if (missing && process.env.CI) {
    test(`required tool is installed (CI): ${missing}`, () => {
      throw new Error(`${missing}; .ci/run must install it`);
    });
  }
  return missing;
}
