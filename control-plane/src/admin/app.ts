/** The name the control-plane runner imports; the factory lives in build-admin.ts. */
export { buildAdmin, type AdminOptions } from './build-admin.js';
