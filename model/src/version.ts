/** The Sluice release, as in the package.json files (a test keeps them equal). */
export const SLUICE_VERSION = '0.1.0';
