import { escapeHtml } from '../html';
import { ANSI_ESCAPE } from './format';

type Attrs = Record<string, string | number | undefined>;

/** One element; `children` are markup already, so text must pass through `escapeXml` first. */
export function el(name: string, attrs: Attrs, ...children: string[]): string {
  const attrText = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`)
    .join('');
  return children.length === 0 ? `<${name}${attrText}/>` : `<${name}${attrText}>${children.join('')}</${name}>`;
}

/** Hundredths (of a pixel or of opacity): short, and the same string for the same input every time. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * Escapes markup and drops what XML 1.0 forbids outright (console output may carry ANSI colour
 * codes or stray control characters), so the SVG always parses.
 */
export function escapeXml(text: string): string {
  const cleaned = text
    .replace(ANSI_ESCAPE, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  return escapeHtml(cleaned);
}
