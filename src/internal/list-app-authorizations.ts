// Every authorization of a bundle, page after page: the one pager the handlers, the monitor and
// the CLI share (AppFabric returns at most 100 per page; a bundle holds at most 50 today).
import type { AppAuthorizationSummary, AppFabricApi } from './appfabric-client';

export async function listAllAppAuthorizations(appfabric: Pick<AppFabricApi, 'listAppAuthorizations'>,
  appBundleArn: string): Promise<AppAuthorizationSummary[]> {
  const items: AppAuthorizationSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await appfabric.listAppAuthorizations(appBundleArn, nextToken);
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}
