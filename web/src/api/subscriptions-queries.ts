import { queryOptions } from '@tanstack/react-query';
import { subscriptionsClient, type SubscriptionsApi } from './subscriptions-api.js';

export const subscriptionKeys = {
  all: () => ['subscriptions'] as const,
  list: () => ['subscriptions', 'list'] as const,
  deliveries: (id: string) => ['subscriptions', 'deliveries', id] as const,
};

/** The caller's subscriptions (admins: the organisation's), each with its last delivery. */
export function subscriptionListQuery(client: SubscriptionsApi = subscriptionsClient) {
  return queryOptions({
    queryKey: subscriptionKeys.list(),
    queryFn: ({ signal }) => client.list(signal),
    staleTime: 5_000,
  });
}

/** One subscription's delivery log, newest first (opened on demand from its row). */
export function deliveryListQuery(id: string, client: SubscriptionsApi = subscriptionsClient) {
  return queryOptions({
    queryKey: subscriptionKeys.deliveries(id),
    queryFn: ({ signal }) => client.deliveries(id, signal),
    staleTime: 5_000,
  });
}
