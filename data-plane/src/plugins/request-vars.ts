import type { PluginContext } from './plugin-context.js';

/** Computes a limit key from a request; '' when the variable is empty. */
export type KeyResolver = (ctx: PluginContext) => string;

/**
 * Resolves APISIX-style (nginx) variable names once, at prepare: remote_addr, consumer_name,
 * route_id, host, uri, server_addr, http_<header> (dashes as underscores), arg_<param>.
 */
export function compileVar(name: string): KeyResolver {
  switch (name) {
    case 'remote_addr':
      return (ctx) => ctx.clientAddress;
    case 'consumer_name':
      return (ctx) => ctx.consumer?.username ?? '';
    case 'route_id':
      return (ctx) => ctx.routeId;
    case 'host':
      return (ctx) => ctx.host.toLowerCase();
    case 'uri':
      return (ctx) => ctx.path;
  }
  if (name.startsWith('http_')) {
    const header = name.slice(5).replace(/_/g, '-').toLowerCase();
    return (ctx) => ctx.header(header) ?? '';
  }
  if (name.startsWith('arg_')) {
    const param = name.slice(4);
    return (ctx) => ctx.queryParam(param) ?? '';
  }
  return () => '';
}

/** A limit key by `keyType`: one variable, a `$a $b` combination, or a constant. */
export function compileKey(keyType: 'var' | 'var_combination' | 'constant', key: string): KeyResolver {
  if (keyType === 'constant') return () => key;
  if (keyType === 'var') return compileVar(key.replace(/^\$/, ''));
  // var_combination: literal text with $vars in it; empty if every var is empty (APISIX).
  const parts = key.split(/(\$[A-Za-z0-9_]+)/).filter(Boolean);
  const resolvers = parts.map((p) => (p.startsWith('$') ? compileVar(p.slice(1)) : undefined));
  return (ctx) => {
    let out = '';
    let anyValue = false;
    for (let i = 0; i < parts.length; i++) {
      const resolve = resolvers[i];
      if (resolve === undefined) out += parts[i];
      else {
        const value = resolve(ctx);
        if (value) anyValue = true;
        out += value;
      }
    }
    return anyValue ? out : '';
  };
}
