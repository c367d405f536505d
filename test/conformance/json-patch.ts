// RFC 6902 JSON Patch (add, remove, replace, copy, move, test) for the suite's mid-test patches.

type Json = any;

const unescapeToken = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function parentOf(doc: Json, pointer: string): { parent: Json; key: string } {
  const tokens = pointer.split('/').slice(1).map(unescapeToken);
  const key = tokens.pop();
  if (key === undefined) throw new Error(`json-patch: empty path`);
  let parent = doc;
  for (const t of tokens) {
    if (parent === null || typeof parent !== 'object' || !(t in parent)) throw new Error(`json-patch: ${pointer} does not exist`);
    parent = parent[t];
  }
  return { parent, key };
}

function read(doc: Json, pointer: string): Json {
  const { parent, key } = parentOf(doc, pointer);
  if (!(key in parent)) throw new Error(`json-patch: ${pointer} does not exist`);
  return parent[key];
}

/** Applies `ops` to a copy of `doc`; throws on a path that does not exist (the patch is refused whole). */
export function applyJsonPatch<T>(doc: T, ops: { op: string; path: string; value?: unknown; from?: string }[]): T {
  const out = structuredClone(doc) as Json;
  for (const op of ops) {
    const { parent, key } = parentOf(out, op.path);
    const isArray = Array.isArray(parent);
    switch (op.op) {
      case 'add':
      case 'copy':
      case 'move': {
        let value = op.op === 'add' ? op.value : structuredClone(read(out, op.from!));
        if (op.op === 'move') {
          const from = parentOf(out, op.from!);
          if (Array.isArray(from.parent)) from.parent.splice(Number(from.key), 1);
          else delete from.parent[from.key];
        }
        value = structuredClone(value);
        if (isArray) {
          if (key === '-') parent.push(value);
          else parent.splice(Number(key), 0, value);
        } else parent[key] = value;
        break;
      }
      case 'remove':
        if (!(key in parent)) throw new Error(`json-patch: ${op.path} does not exist`);
        if (isArray) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'replace':
        if (!(key in parent)) throw new Error(`json-patch: ${op.path} does not exist`);
        parent[key] = structuredClone(op.value);
        break;
      case 'test':
        if (JSON.stringify(read(out, op.path)) !== JSON.stringify(op.value)) throw new Error(`json-patch: test failed at ${op.path}`);
        break;
      default:
        throw new Error(`json-patch: unknown op ${op.op}`);
    }
  }
  return out as T;
}
