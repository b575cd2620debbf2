// The time axis's ticks, the same in the SVG and the text.

/** 1-2-5×10^k: the steps a person counts in, about six of them across the chart. */
function tickStep(domainMs: number): number {
  const raw = domainMs / 6;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw * (1 - 1e-9)) ?? 10 * magnitude;
}

export function ticksOf(domainMs: number): { atMs: number; label: string }[] {
  const step = tickStep(domainMs);
  // Seconds once the cell lasts one, with as many decimals as the step needs (0.2 s, 0.05 s).
  const [unit, scale] = domainMs >= 1000 ? ['s', 1000] : ['ms', 1];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9));
  const ticks = [];
  // Multiply rather than accumulate, so 0.1 + 0.2 never drifts a tick off its label.
  for (let k = 0; k * step <= domainMs * (1 + 1e-9); k++) {
    ticks.push({ atMs: k * step, label: k === 0 ? '0' : `${((k * step) / scale).toFixed(decimals)} ${unit}` });
  }
  return ticks;
}
