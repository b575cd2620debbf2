// For a condition no event reports (a process appearing or going, a page's DOM): checked every
// `intervalMs` until a deadline, with what was awaited named in the failure.

/** Polls `check` (sync or async) until it returns a truthy value; throws `what` after timeoutMs. */
export async function pollUntil(check, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
