import type { Locator, Page } from 'playwright-core';

/** What every document editor has (STYLE.md: e2e/pom/<page>.ts): save, its outcome, field errors, history. */
export function documentEditor(page: Page) {
  const history = page.getByRole('complementary', { name: 'History' });
  const entries = history.locator('li');
  return {
    save: () => page.getByRole('button', { name: /^(Save|Create)$/ }).click(),
    savedNotice: page.getByText(/^(Saved|Created) at revision \d+\.$/),
    /** Applied on N/M data planes, or why not (rejected, pending). */
    appliedSummary: page.getByTestId('applied-summary'),
    saveError: page.getByTestId('save-error'),
    /** The message under the input that edits the field at this JSON pointer. */
    fieldError: (pointer: string): Locator => page.locator(`[data-path="${pointer}"] > .field-error`),
    history,
    /** Earlier versions, newest first. */
    historyEntries: entries,
    /** Opens the comparison of the current version with an earlier one; returns the diff. */
    async openDiff(index = 0): Promise<Locator> {
      await entries.nth(index).getByRole('button', { name: 'Diff' }).click();
      return page.getByRole('figure');
    },
    /** Rolls back to an earlier version through its confirmation. */
    async rollBack(index = 0): Promise<void> {
      await entries.nth(index).getByRole('button', { name: 'Roll back' }).click();
      await page
        .getByTestId('rollback-confirm')
        .getByRole('button', { name: /^Roll back to rev \d+$/ })
        .click();
    },
  };
}
