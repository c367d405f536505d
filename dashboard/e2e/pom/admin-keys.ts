import type { Page } from 'playwright-core';

/** The Admin keys page: create a key (its plaintext shown once) and delete keys. */
export function adminKeysPage(page: Page) {
  return {
    async open() {
      await page.getByRole('link', { name: 'Admin keys' }).click();
      await page.getByRole('heading', { name: 'Admin keys' }).waitFor();
    },
    /** Creates a key and returns its plaintext as the page shows it. */
    async create(name: string, role: 'admin' | 'editor' | 'viewer', kinds: string[] = []): Promise<string> {
      await page.locator('input[name="key-name"]').fill(name);
      await page.locator('select[name="role"]').selectOption(role);
      for (const kind of kinds) await page.getByRole('form', { name: 'New admin key' }).getByLabel(kind, { exact: true }).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const created = page.getByTestId('created-key');
      await created.getByText(name, { exact: true }).waitFor();
      return page.getByLabel('New key').inputValue();
    },
    row: (name: string) => page.locator(`tr[data-key="${name}"]`),
  };
}
