import { createHmac, getHashes, timingSafeEqual } from 'node:crypto';

export class SignatureSchemeError extends Error {}

/**
 * HMAC over the four JSON frames (messaging spec: "The Wire Protocol"). An empty key means
 * messages are neither signed nor checked, as jupyter_client's Session does.
 */
export class Signer {
  readonly enabled: boolean;
  private readonly algorithm: string;

  constructor(scheme: string, private readonly key: string) {
    const match = /^hmac-(.+)$/.exec(scheme);
    if (!match) throw new SignatureSchemeError(`unsupported signature_scheme ${JSON.stringify(scheme)}: expected hmac-<hash>`);
    this.algorithm = match[1];
    if (!getHashes().includes(this.algorithm)) {
      throw new SignatureSchemeError(`signature_scheme ${scheme}: this node has no ${this.algorithm} hash`);
    }
    this.enabled = key.length > 0;
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.enabled) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** Constant-time comparison, so a forger learns nothing from how long a check took. */
  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(frames), 'latin1');
    const given = Buffer.from(signature, 'latin1');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
