/** One line on the kernel's stderr, which Jupyter shows in its server log. */
export const log = (text: string): void => {
  process.stderr.write(`[tempo] ${text}\n`);
};
