/**
 * A fast non-cryptographic 32-bit string hash: FNV-1a over UTF-16 code units, then the
 * murmur3 finalizer. FNV-1a alone clusters on keys that differ only in their last characters
 * (`node#1`, `node#2`, ...), which skews a hash ring; the finalizer spreads those bits.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
