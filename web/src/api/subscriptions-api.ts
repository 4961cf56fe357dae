import type { z } from 'zod';
import type {
  Subscription,
  SubscriptionCreateBody,
  SubscriptionUpdateBody,
  deliveryListResponse,
  subscriptionCreated,
  subscriptionListResponse,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

export type SubscriptionList = z.infer<typeof subscriptionListResponse>;
export type DeliveryList = z.infer<typeof deliveryListResponse>;
export type SubscriptionCreated = z.infer<typeof subscriptionCreated>;

/** Typed calls of the scheduled reports API (contract/subscriptions.schema.ts; docs/exports.md). */
export function subscriptionsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    list: (signal?: AbortSignal) => client.send<SubscriptionList>('GET', '/subscriptions', undefined, signal),
    create: (body: SubscriptionCreateBody) =>
      client.send<SubscriptionCreated>('POST', '/subscriptions', body),
    update: (id: string, body: SubscriptionUpdateBody) =>
      client.send<SubscriptionCreated>('PATCH', `/subscriptions/${seg(id)}`, body),
    pause: (id: string) => client.send<Subscription>('POST', `/subscriptions/${seg(id)}/pause`, {}),
    resume: (id: string) => client.send<Subscription>('POST', `/subscriptions/${seg(id)}/resume`, {}),
    remove: (id: string) => client.send<void>('DELETE', `/subscriptions/${seg(id)}`),
    deliveries: (id: string, signal?: AbortSignal) =>
      client.send<DeliveryList>('GET', `/subscriptions/${seg(id)}/deliveries`, undefined, signal),
  };
}

export type SubscriptionsApi = ReturnType<typeof subscriptionsApi>;
export const subscriptionsClient = subscriptionsApi();
