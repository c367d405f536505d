import type { Locator, Page } from 'playwright-core';
import { documentEditor } from './document-editor.js';

/** The route editor page as the e2e tests drive it (STYLE.md: e2e/pom/<page>.ts). */
export function routeEditor(page: Page) {
  return {
    ...documentEditor(page),
    async open(baseUrl: string, id: string) {
      await page.goto(`${baseUrl}/routes/${encodeURIComponent(id)}`);
      await page.getByRole('heading', { name: `Route ${id}` }).waitFor();
    },
    idInput: page.locator('input[name="id"]'),
    pathValue: (i: number): Locator => page.getByLabel(`Path ${i + 1} value`),
    pathType: (i: number): Locator => page.getByLabel(`Path ${i + 1} type`),
    backendUpstream: (i: number): Locator => page.getByLabel(`Backend ${i + 1} upstream`),
    addPath: () => page.getByRole('button', { name: 'Add path' }).click(),
    addBackend: () => page.getByRole('button', { name: 'Add backend' }).click(),
    async addPlugin(name: string) {
      await page.getByLabel('Plugin to add').selectOption(name);
      await page.getByRole('button', { name: 'Add plugin' }).click();
      return page.locator(`[data-plugin="${name}"]`);
    },
    /** The generated input for a plugin field, found by its JSON pointer. */
    pluginField: (plugin: string, field: string): Locator =>
      page.locator(`[data-path="/plugins/${plugin}/${field}"]`).locator('input, select, textarea').first(),
    readOnlyBanner: page.getByTestId('read-only-banner'),
    roleReadOnlyBanner: page.getByTestId('role-read-only-banner'),
  };
}
