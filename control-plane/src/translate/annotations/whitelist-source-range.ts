import { NGINX } from './annotation.js';
import { allowlistSourceRange } from './allowlist-source-range.js';

/** The older name ingress-nginx still accepts for allowlist-source-range: the same annotation under another key. */
export const whitelistSourceRange = { ...allowlistSourceRange, key: `${NGINX}whitelist-source-range` };
