// Random identifiers. Math.random is enough for a simulator and avoids loading node:crypto
// on every invocation (process start must stay lean).

function hexBytes(n: number): string[] {
  return Array.from({ length: n }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0'));
}

/** Random version-4 UUID, lowercase 8-4-4-4-12 like libxl_uuid_generate. */
export function uuid4(): string {
  const b = hexBytes(16);
  b[6] = ((parseInt(b[6]!, 16) & 0x0f) | 0x40).toString(16).padStart(2, '0');
  b[8] = ((parseInt(b[8]!, 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const h = b.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** 00:16:3e + 3 random bytes, the first below 0x80 (xl-network-configuration(5)). */
export function randomMac(): string {
  const b = hexBytes(3);
  b[0] = (parseInt(b[0]!, 16) & 0x7f).toString(16).padStart(2, '0');
  return `00:16:3e:${b.join(':')}`;
}
