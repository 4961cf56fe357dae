import { mutationOptions, type QueryClient } from '@tanstack/react-query';
import type {
  Subscription,
  SubscriptionCreateBody,
  SubscriptionUpdateBody,
} from '../../../contract/index.js';
import { subscriptionsClient, type SubscriptionList, type SubscriptionsApi } from './subscriptions-api.js';
import { subscriptionKeys } from './subscriptions-queries.js';

/**
 * Mutation factories for the Subscriptions page and the Subscribe dialog (the pattern is described in
 * accounts-mutations.ts): what each write calls and what it changes in the cache.
 */

/** Put the server's answer for one subscription into the list at once. */
function replaceInList(queryClient: QueryClient, next: Subscription) {
  queryClient.setQueryData<SubscriptionList>(subscriptionKeys.list(), (old) =>
    old ? { subscriptions: old.subscriptions.map((s) => (s.id === next.id ? next : s)) } : old,
  );
}

/** Pause (`active: false`) or resume: the answer is the subscription with its new status and next run. */
export function setActiveMutation(queryClient: QueryClient, client: SubscriptionsApi = subscriptionsClient) {
  return mutationOptions({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      active ? client.resume(id) : client.pause(id),
    onSuccess: (next) => replaceInList(queryClient, next),
  });
}

/** Delete a subscription and its delivery log: it leaves the list, and its log's cache goes. */
export function removeSubscriptionMutation(
  queryClient: QueryClient,
  client: SubscriptionsApi = subscriptionsClient,
) {
  return mutationOptions({
    mutationFn: (id: string) => client.remove(id),
    onSuccess: (_void, id) => {
      queryClient.setQueryData<SubscriptionList>(subscriptionKeys.list(), (old) =>
        old ? { subscriptions: old.subscriptions.filter((s) => s.id !== id) } : old,
      );
      queryClient.removeQueries({ queryKey: subscriptionKeys.deliveries(id) });
    },
  });
}

/** Subscribe: refused per field (SCHEDULE_INVALID, WEBHOOK_URL_FORBIDDEN…) as the mutation's error. */
export function createSubscriptionMutation(
  queryClient: QueryClient,
  client: SubscriptionsApi = subscriptionsClient,
) {
  return mutationOptions({
    mutationFn: (body: SubscriptionCreateBody) => client.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: subscriptionKeys.list() }),
  });
}

/** Edit: the answer (the subscription as saved, a new webhook's secret once) replaces it in the list. */
export function updateSubscriptionMutation(
  queryClient: QueryClient,
  client: SubscriptionsApi = subscriptionsClient,
) {
  return mutationOptions({
    mutationFn: ({ id, body }: { id: string; body: SubscriptionUpdateBody }) => client.update(id, body),
    onSuccess: (next) => replaceInList(queryClient, next.subscription),
  });
}
