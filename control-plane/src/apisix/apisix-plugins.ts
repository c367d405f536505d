import { pluginSpecByName, type PluginAttachment } from '@sluice/model';
import { fieldPath, isPlainObject, type IssueList } from './apisix-issue.js';
import { matchesToVars, varsToMatches } from './apisix-vars.js';
import { configToApisix, configToSluice, type TSchema } from './plugin-case.js';

type Obj = Record<string, any>;

/** APISIX's plugins (apisix/cli/config.lua, the default list, plus proxy-cache), for the migration table. */
export const APISIX_PLUGINS = [
  'real-ip',
  'ai',
  'client-control',
  'proxy-buffering',
  'proxy-control',
  'request-id',
  'zipkin',
  'ext-plugin-pre-req',
  'fault-injection',
  'mocking',
  'serverless-pre-function',
  'cors',
  'ip-restriction',
  'ua-restriction',
  'referer-restriction',
  'csrf',
  'uri-blocker',
  'request-validation',
  'chaitin-waf',
  'multi-auth',
  'openid-connect',
  'saml-auth',
  'cas-auth',
  'authz-casbin',
  'authz-casdoor',
  'wolf-rbac',
  'ldap-auth-advanced',
  'ldap-auth',
  'hmac-auth',
  'basic-auth',
  'jwt-auth',
  'jwe-decrypt',
  'key-auth',
  'dingtalk-auth',
  'feishu-auth',
  'acl',
  'consumer-restriction',
  'attach-consumer-label',
  'forward-auth',
  'opa',
  'authz-keycloak',
  'data-mask',
  'proxy-cache',
  'body-transformer',
  'ai-prompt-template',
  'ai-prompt-decorator',
  'ai-prompt-guard',
  'ai-rag',
  'ai-rate-limiting',
  'ai-proxy-multi',
  'ai-proxy',
  'ai-cache',
  'ai-aws-content-moderation',
  'ai-aliyun-content-moderation',
  'ai-lakera-guard',
  'proxy-mirror',
  'graphql-proxy-cache',
  'proxy-rewrite',
  'workflow',
  'api-breaker',
  'graphql-limit-count',
  'limit-conn',
  'limit-count',
  'limit-req',
  'gzip',
  'brotli',
  'server-info',
  'traffic-label',
  'traffic-split',
  'redirect',
  'response-rewrite',
  'oas-validator',
  'mcp-bridge',
  'degraphql',
  'kafka-proxy',
  'grpc-transcode',
  'grpc-web',
  'http-dubbo',
  'public-api',
  'prometheus',
  'datadog',
  'lago',
  'loki-logger',
  'elasticsearch-logger',
  'echo',
  'loggly',
  'http-logger',
  'splunk-hec-logging',
  'skywalking-logger',
  'google-cloud-logging',
  'sls-logger',
  'tcp-logger',
  'kafka-logger',
  'rocketmq-logger',
  'syslog',
  'udp-logger',
  'file-logger',
  'clickhouse-logger',
  'tencent-cloud-cls',
  'inspect',
  'example-plugin',
  'aws-lambda',
  'azure-functions',
  'openwhisk',
  'openfunction',
  'serverless-post-function',
  'ext-plugin-post-req',
  'ext-plugin-post-resp',
  'ai-request-rewrite',
  'error-page',
].sort();

/** APISIX plugins whose effect Sluice has without configuration: accepted and dropped, with a note. */
export const ALWAYS_ON: Readonly<Record<string, string>> = {
  prometheus: "the data plane always counts requests per route on its status port's /metrics",
};

/** What to use instead of an APISIX plugin Sluice does not have. */
const INSTEAD: Readonly<Record<string, string>> = {
  zipkin: 'use opentelemetry',
  skywalking: 'use opentelemetry',
  'skywalking-logger': 'use http-logger',
  'proxy-mirror': 'use request-mirror (it mirrors to an upstream, not a host URL)',
  'error-page': 'use error-pages',
  mocking: 'use response-rewrite',
  echo: 'use response-rewrite',
  'openid-connect': 'use forward-auth in front of an OIDC proxy',
  'proxy-cache': 'there is no response cache yet',
  'serverless-pre-function': 'write a custom plugin (--plugins-dir)',
  'serverless-post-function': 'write a custom plugin (--plugins-dir)',
  'ext-plugin-pre-req': 'write a custom plugin (--plugins-dir)',
  'ext-plugin-post-req': 'write a custom plugin (--plugins-dir)',
  'ext-plugin-post-resp': 'write a custom plugin (--plugins-dir)',
  'example-plugin': 'write a custom plugin (--plugins-dir)',
  'kafka-logger': 'use http-logger or file-logger',
  'tcp-logger': 'use http-logger or file-logger',
  'udp-logger': 'use http-logger or file-logger',
  syslog: 'use file-logger',
  'elasticsearch-logger': 'use http-logger',
  'loki-logger': 'use http-logger',
  'consumer-restriction': 'not yet',
  acl: 'not yet',
  'uri-blocker': 'not yet',
  'ua-restriction': 'not yet',
  'referer-restriction': 'not yet',
  'request-validation': 'not yet',
};

/** Whether and how Sluice takes an APISIX plugin, as said in the migration table and in refusals. */
export function pluginSupport(name: string): { support: 'supported' | 'ignored' | 'refused'; note: string } {
  if (ALWAYS_ON[name]) return { support: 'ignored', note: `accepted and dropped: ${ALWAYS_ON[name]}` };
  if (pluginSpecByName(name))
    return {
      support: 'supported',
      note:
        name === 'traffic-split'
          ? 'one `match` per rule (write one rule per alternative), `vars` as for routes, `weighted_upstreams` by `upstream_id`'
          : "same name; fields as in Sluice's schema, in snake_case",
    };
  return { support: 'refused', note: `Sluice has no plugin ${name}${INSTEAD[name] ? `: ${INSTEAD[name]}` : ''}` };
}

/** APISIX `plugins` → Sluice's, checked field by field against each plugin's schema (the document check follows). */
export function pluginsToSluice(plugins: unknown, at: string, issues: IssueList, attachment: PluginAttachment): Obj | undefined {
  if (plugins === undefined) return undefined;
  if (!isPlainObject(plugins)) {
    issues.add(at, 'must be an object of plugin name → config');
    return undefined;
  }
  const out: Obj = {};
  for (const [name, config] of Object.entries(plugins)) {
    const where = fieldPath(at, name);
    const support = pluginSupport(name);
    if (support.support === 'ignored') continue;
    if (support.support === 'refused') {
      issues.add(where, `is not supported: ${support.note}`);
      continue;
    }
    if (isPlainObject(config) && '_meta' in config)
      issues.add(fieldPath(where, '_meta'), 'plugin _meta (priority, filter, disable, error_response) is not supported');
    const { _meta: _, ...body } = isPlainObject(config) ? config : ({} as Obj);
    out[name] = name === 'traffic-split' ? trafficSplitToSluice(body, where, issues) : configToSluice(body, schemaOf(name, attachment), where, issues);
  }
  return out;
}

/** Sluice `plugins` → APISIX's. */
export function pluginsToApisix(plugins: Obj | undefined, attachment: PluginAttachment, unsaid: (what: string) => void): Obj | undefined {
  if (!plugins) return undefined;
  const out: Obj = {};
  for (const [name, config] of Object.entries(plugins)) {
    if (!APISIX_PLUGINS.includes(name)) unsaid(`plugin ${name} (APISIX has no plugin of that name)`);
    out[name] = name === 'traffic-split' ? trafficSplitToApisix(config as Obj, unsaid) : configToApisix(config, schemaOf(name, attachment));
  }
  return out;
}

function schemaOf(name: string, attachment: PluginAttachment): TSchema | undefined {
  const spec = pluginSpecByName(name);
  return (attachment === 'consumer' && spec?.consumerSchema ? spec.consumerSchema : spec?.schema) as TSchema | undefined;
}

function trafficSplitToSluice(config: Obj, at: string, issues: IssueList): Obj {
  const rules = Array.isArray(config.rules) ? config.rules : [];
  return {
    rules: rules.map((rule: Obj, r: number) => {
      const where = fieldPath(fieldPath(at, 'rules'), r);
      const out: Obj = {};
      const alternatives = Array.isArray(rule.match) ? rule.match : [];
      if (alternatives.length > 1) issues.add(fieldPath(where, 'match'), 'more than one match (any of them) is not supported: write one rule per match');
      if (alternatives.length >= 1) {
        const m = varsToMatches(alternatives[0].vars ?? [], fieldPath(fieldPath(fieldPath(where, 'match'), 0), 'vars'), issues);
        if (m.uriRegex !== undefined) issues.add(fieldPath(where, 'match'), 'the uri variable is not supported in traffic-split');
        out.match = {
          ...(m.headers.length ? { headers: m.headers } : {}),
          ...(m.query.length ? { query: m.query } : {}),
          ...(m.cookies.length ? { cookies: m.cookies } : {}),
        };
      }
      out.weightedUpstreams = (Array.isArray(rule.weighted_upstreams) ? rule.weighted_upstreams : []).map((w: Obj, i: number) => {
        if (w.upstream !== undefined)
          issues.add(
            fieldPath(fieldPath(fieldPath(where, 'weighted_upstreams'), i), 'upstream'),
            'an inline upstream is not supported here: create the upstream and name it with upstream_id',
          );
        return { ...(w.upstream_id !== undefined ? { upstreamId: String(w.upstream_id) } : {}), weight: w.weight };
      });
      return out;
    }),
  };
}

function trafficSplitToApisix(config: Obj, unsaid: (what: string) => void): Obj {
  return {
    rules: (config.rules ?? []).map((rule: Obj) => ({
      ...(rule.match ? { match: [{ vars: matchesToVars(rule.match, unsaid) }] } : {}),
      ...(rule.match?.remoteAddrs ? (unsaid('traffic-split remoteAddrs'), {}) : {}),
      weighted_upstreams: rule.weightedUpstreams.map((w: Obj) => ({ ...(w.upstreamId !== undefined ? { upstream_id: w.upstreamId } : {}), weight: w.weight })),
    })),
  };
}
