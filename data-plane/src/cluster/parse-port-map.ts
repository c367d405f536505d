/**
 * `--port-map 80:18080,443:18443`: declared listener port → port actually bound, so tests and
 * non-root users run Gateways that declare 80/443. Throws on anything malformed, naming it.
 */
export function parsePortMap(text: string | undefined): Record<number, number> {
  const map: Record<number, number> = {};
  if (text === undefined || text.trim() === '') return map;
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,5})\s*:\s*(\d{1,5})\s*$/.exec(part);
    const [declared, bound] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!(declared >= 1 && declared <= 65_535 && bound >= 1 && bound <= 65_535)) {
      throw new Error(`--port-map: "${part.trim()}" is not <declared port>:<bound port> (1-65535), e.g. 80:18080`);
    }
    if (declared in map) throw new Error(`--port-map: port ${declared} is mapped twice`);
    map[declared] = bound;
  }
  return map;
}
