export { buildConsumerIndex, ConsumerIndex } from './consumer-index.js';
export { compilePluginChain, type CompilePluginsEnv } from './compile-plugins.js';
export { PluginChain } from './plugin-chain.js';
export { PluginContext } from './plugin-context.js';
export {
  definePlugin,
  type ConsumerCredential,
  type Plugin,
  type PluginErrorReporter,
  type PrepareEnv,
  type PhaseResult,
  type ResponseHead,
  type ShortCircuit,
} from './plugin.js';
export { PluginPrepareError, type PreparedPlugin } from './prepared-plugin.js';
export { createPluginRegistry, PluginRegistry, type PluginLogger } from './registry.js';
export { loadCustomPlugins, toPlugin } from './load-custom-plugins.js';
export { applyHeaderOps, applyHeaderOpsToObject, type HeaderOp } from './header-ops.js';
export * from './flat-headers.js';
