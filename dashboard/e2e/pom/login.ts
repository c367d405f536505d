import type { Page } from 'playwright-core';

/** The sign-in form and the sign-out button. */
export function loginPage(page: Page) {
  return {
    async signIn(baseUrl: string, key: string) {
      await page.goto(`${baseUrl}/`);
      await page.getByLabel('Admin key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    async signOut() {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Admin key').waitFor();
    },
    error: page.getByRole('alert'),
    whoami: page.getByTestId('whoami'),
  };
}
