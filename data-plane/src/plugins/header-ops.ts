import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderEdits } from '@sluice/model';
import { addHeader, removeHeader, setHeader } from './flat-headers.js';

/** One header change. `lowerName` is precomputed so applying costs no case folding of ours. */
export interface HeaderOp {
  op: 'set' | 'add' | 'remove';
  name: string;
  lowerName: string;
  value: string;
}

/** A config's `{set, add, remove}` as ops, compiled once per route. */
export function compileHeaderOps(edits: HeaderEdits | undefined): HeaderOp[] {
  if (!edits) return [];
  const ops: HeaderOp[] = [];
  // APISIX order: add, then set, then remove; so `remove` always wins and `set` overrides `add`.
  for (const [name, value] of Object.entries(edits.add ?? {})) ops.push({ op: 'add', name, lowerName: name.toLowerCase(), value });
  for (const [name, value] of Object.entries(edits.set ?? {})) ops.push({ op: 'set', name, lowerName: name.toLowerCase(), value });
  for (const name of edits.remove ?? []) ops.push({ op: 'remove', name, lowerName: name.toLowerCase(), value: '' });
  return ops;
}

export function headerOp(op: HeaderOp['op'], name: string, value = ''): HeaderOp {
  return { op, name, lowerName: name.toLowerCase(), value };
}

/** Applies ops to a flat raw header array, in place. */
export function applyHeaderOps(flat: string[], ops: readonly HeaderOp[]): void {
  for (const o of ops) {
    if (o.op === 'set') setHeader(flat, o.name, o.value);
    else if (o.op === 'add') addHeader(flat, o.name, o.value);
    else removeHeader(flat, o.lowerName);
  }
}

/** Applies ops to a lower-case header object (Node's `IncomingHttpHeaders` shape), in place. */
export function applyHeaderOpsToObject(headers: IncomingHttpHeaders, ops: readonly HeaderOp[]): void {
  for (const o of ops) {
    if (o.op === 'set') headers[o.lowerName] = o.value;
    else if (o.op === 'remove') delete headers[o.lowerName];
    else {
      const prev = headers[o.lowerName];
      headers[o.lowerName] = prev === undefined ? o.value : Array.isArray(prev) ? [...prev, o.value] : [prev, o.value];
    }
  }
}
