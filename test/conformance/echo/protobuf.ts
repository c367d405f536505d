// Just enough protobuf wire format for the GrpcEcho messages (strings and nested messages).

export type ProtoField = { field: number; value: string | Buffer | ProtoField[] };

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** Encodes length-delimited fields (wire type 2); empty strings are left out as proto3 does. */
export function encodeMessage(fields: ProtoField[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    const payload = typeof f.value === 'string' ? Buffer.from(f.value) : Buffer.isBuffer(f.value) ? f.value : encodeMessage(f.value);
    if (typeof f.value === 'string' && payload.length === 0) continue;
    parts.push(varint((f.field << 3) | 2), varint(payload.length), payload);
  }
  return Buffer.concat(parts);
}

/** Decodes the length-delimited fields of a message (other wire types are skipped). */
export function decodeMessage(buf: Buffer): { field: number; bytes: Buffer }[] {
  const out: { field: number; bytes: Buffer }[] = [];
  let i = 0;
  const readVarint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('protobuf: truncated varint');
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    const wire = key & 7;
    const field = Math.floor(key / 8);
    if (wire === 2) {
      const len = readVarint();
      out.push({ field, bytes: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 0) readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

export const fieldOf = (msg: Buffer, field: number) => decodeMessage(msg).find((f) => f.field === field)?.bytes;
