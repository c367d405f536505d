import type { Page } from 'playwright-core';

/** The sign-in form. */
export function loginPage(page: Page) {
  return {
    async signIn(baseUrl: string, key: string) {
      await page.goto(`${baseUrl}/`);
      await page.getByLabel('Admin key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    error: page.getByRole('alert'),
  };
}
