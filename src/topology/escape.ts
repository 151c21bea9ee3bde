/**
 * Text into XML and HTML: names come from clients and may hold anything a system name may
 * (markup, quotes, control characters). Everything drawn or listed passes through here.
 */

/** Characters XML 1.0 cannot carry at all (§2.2 Char): C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes for element content and attribute values alike; characters XML cannot carry become U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** At most `max` characters (code points) shown, the rest replaced by an ellipsis; the whole name goes in a title. */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
