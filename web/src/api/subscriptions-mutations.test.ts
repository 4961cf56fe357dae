import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../../contract/index.js';
import { jsonResponse, noContent, recordingClient } from './api-test-client.js';
import { subscriptionsApi } from './subscriptions-api.js';
import {
  createSubscriptionMutation,
  removeSubscriptionMutation,
  setActiveMutation,
} from './subscriptions-mutations.js';
import { subscriptionKeys } from './subscriptions-queries.js';

const sub = (id: string, status: 'active' | 'paused' = 'active'): Subscription => ({
  id,
  dashboard: 'sales',
  widget: null,
  format: 'pdf',
  query: null,
  filters: null,
  schedule: '0 8 * * *',
  timeZone: 'Europe/Paris',
  channel: 'email',
  target: 'a@b.c',
  status,
  nextRunAt: status === 'active' ? '2026-12-08T07:00:00Z' : null,
  mine: true,
  lastDelivery: null,
  createdAt: '2026-12-07T07:00:00Z',
});

function cache() {
  const queryClient = new QueryClient();
  queryClient.setQueryData(subscriptionKeys.list(), { subscriptions: [sub('s1'), sub('s2')] });
  queryClient.setQueryData(subscriptionKeys.deliveries('s1'), { deliveries: [] });
  return queryClient;
}

describe('subscription mutations', () => {
  it('pause posts to the pause route and puts the answer in the list', async () => {
    const queryClient = cache();
    const { client, calls } = recordingClient(() => jsonResponse(sub('s2', 'paused')));
    await new MutationObserver(queryClient, setActiveMutation(queryClient, subscriptionsApi(client))).mutate({
      id: 's2',
      active: false,
    });
    expect(calls.map((c) => c.call)).toEqual(['POST /api/v1/subscriptions/s2/pause']);
    const list = queryClient.getQueryData<{ subscriptions: Subscription[] }>(subscriptionKeys.list());
    expect(list?.subscriptions.map((s) => [s.id, s.status])).toEqual([
      ['s1', 'active'],
      ['s2', 'paused'],
    ]);
  });

  it('resume posts to the resume route', async () => {
    const queryClient = cache();
    const { client, calls } = recordingClient(() => jsonResponse(sub('s1')));
    await new MutationObserver(queryClient, setActiveMutation(queryClient, subscriptionsApi(client))).mutate({
      id: 's1',
      active: true,
    });
    expect(calls.map((c) => c.call)).toEqual(['POST /api/v1/subscriptions/s1/resume']);
  });

  it('delete removes the row and its delivery log from the cache; a refusal removes nothing', async () => {
    const queryClient = cache();
    const refused = recordingClient(() =>
      jsonResponse({ error: 'NOT_FOUND', message: 'No.', requestId: 'q' }, 404),
    );
    await expect(
      new MutationObserver(
        queryClient,
        removeSubscriptionMutation(queryClient, subscriptionsApi(refused.client)),
      ).mutate('s1'),
    ).rejects.toMatchObject({ status: 404 });
    expect(queryClient.getQueryData(subscriptionKeys.deliveries('s1'))).toBeDefined();

    const { client, calls } = recordingClient(() => noContent());
    await new MutationObserver(
      queryClient,
      removeSubscriptionMutation(queryClient, subscriptionsApi(client)),
    ).mutate('s1');
    expect(calls.map((c) => c.call)).toEqual(['DELETE /api/v1/subscriptions/s1']);
    const list = queryClient.getQueryData<{ subscriptions: Subscription[] }>(subscriptionKeys.list());
    expect(list?.subscriptions.map((s) => s.id)).toEqual(['s2']);
    expect(queryClient.getQueryData(subscriptionKeys.deliveries('s1'))).toBeUndefined();
  });

  it('subscribe sends the body as given', async () => {
    const queryClient = cache();
    const { client, calls } = recordingClient(() =>
      jsonResponse({ subscription: sub('s3'), webhookSecret: null }, 201),
    );
    const body = {
      dashboard: 'sales',
      format: 'pdf' as const,
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      channel: 'email' as const,
    };
    await new MutationObserver(
      queryClient,
      createSubscriptionMutation(queryClient, subscriptionsApi(client)),
    ).mutate(body);
    expect(calls).toEqual([{ call: 'POST /api/v1/subscriptions', body }]);
  });
});
