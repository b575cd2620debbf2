/**
 * Remembers the signatures already accepted so a captured message cannot be replayed; like
 * jupyter_client's digest_history, it holds at most `capacity` and forgets a random tenth when full.
 */
export class ReplayGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 1 << 16) {}

  /** Returns false if `signature` was seen before; otherwise records it. */
  admit(signature: string): boolean {
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= this.capacity) this.cull();
    this.seen.add(signature);
    return true;
  }

  private cull(): void {
    const drop = Math.max(1, Math.floor(this.capacity / 10));
    const all = [...this.seen];
    for (let i = 0; i < drop; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      [all[i], all[j]] = [all[j], all[i]];
      this.seen.delete(all[i]);
    }
  }
}
