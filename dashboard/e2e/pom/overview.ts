import type { Page } from 'playwright-core';

/** The overview: data planes with their applied revision, the all-applied badge, traffic per route. */
export function overviewPage(page: Page) {
  const dataplanes = page.getByRole('table', { name: 'Data planes' });
  return {
    async open(baseUrl: string) {
      await page.goto(`${baseUrl}/`);
      await dataplanes.waitFor();
    },
    dataplanes,
    dataplaneRows: dataplanes.locator('tbody tr[data-dataplane]'),
    allApplied: page.getByTestId('all-applied'),
    latestRevision: page.getByTestId('latest-revision'),
    liveState: page.getByTestId('live-state'),
    routeTraffic: (routeId: string) => page.getByRole('table', { name: 'Route traffic' }).locator(`tr[data-route="${routeId}"]`),
  };
}
