/**
 * The admin key lives in sessionStorage only: it is gone when the tab closes, is never put
 * in a URL, and is sent only as the X-API-Key header.
 */
const STORAGE_NAME = 'sluice.adminKey';

export const sessionKey = {
  get: (): string | null => sessionStorage.getItem(STORAGE_NAME),
  set: (key: string): void => sessionStorage.setItem(STORAGE_NAME, key),
  clear: (): void => sessionStorage.removeItem(STORAGE_NAME),
};
