// messaging spec: cursor_pos counts Unicode code points; JavaScript and TypeScript count UTF-16 units.

/** A code-point offset (the protocol's cursor_pos) → a UTF-16 offset (JavaScript's and TypeScript's). */
export function toUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    const unit = text.charCodeAt(offset);
    offset += unit >= 0xd800 && unit <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/** A UTF-16 offset → code points. */
export function toCodePoints(text: string, utf16: number): number {
  let count = 0;
  for (let offset = 0; offset < utf16 && offset < text.length; count++) {
    const unit = text.charCodeAt(offset);
    offset += unit >= 0xd800 && unit <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return count;
}
