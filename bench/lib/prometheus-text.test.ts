import { describe, expect, test } from 'vitest';
import { loopDelayMs, metricSum, metricValue } from './prometheus-text.js';

const text = `# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p99_seconds gauge
nodejs_eventloop_lag_p99_seconds 0.023986175
nodejs_eventloop_lag_p99_seconds_total 9
nodejs_heap_size_used_bytes 34078720
trellis_http_errors_total{code="SOURCE_BUSY"} 12
trellis_http_errors_total{code="QUERY_TIMEOUT"} 54
`;

describe('Prometheus text', () => {
  test('reads an unlabelled sample by its exact name', () => {
    expect(metricValue(text, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.023986175);
    expect(metricValue(text, 'nodejs_heap_size_used_bytes')).toBe(34_078_720);
  });

  test('matches labels exactly and answers undefined when absent', () => {
    expect(metricValue(text, 'trellis_http_errors_total', { code: 'QUERY_TIMEOUT' })).toBe(54);
    expect(metricValue(text, 'trellis_http_errors_total')).toBeUndefined();
    expect(metricValue(text, 'nodejs_missing')).toBeUndefined();
  });

  test('event-loop delay is the lag beyond the monitor’s 10 ms timer interval', () => {
    expect(loopDelayMs(0.023986175)).toBeCloseTo(13.986175, 6);
    expect(loopDelayMs(0.0101, 10)).toBeCloseTo(0.1, 6);
    expect(loopDelayMs(0.009)).toBe(0); // the timer fired a little early: no delay
    expect(loopDelayMs(0.05, 20)).toBeCloseTo(30, 6);
  });

  test('sums of a metric over the samples whose labels include the asked ones', () => {
    const executions = `# HELP trellis_query_executions_total Statements sent
# TYPE trellis_query_executions_total counter
trellis_query_executions_total{source="events",dataset="events"} 3
trellis_query_executions_total{source="events",dataset="events_live"} 40
trellis_query_executions_total{dataset="events",source="other"} 2
trellis_query_executions_total_created{source="events",dataset="events"} 1700000000
trellis_query_executions_totalx{dataset="events"} 1000
`;
    expect(metricSum(executions, 'trellis_query_executions_total', { dataset: 'events' })).toBe(5);
    expect(metricSum(executions, 'trellis_query_executions_total')).toBe(45);
    expect(metricSum(executions, 'trellis_query_executions_total', { dataset: 'nope' })).toBe(0);
    expect(
      metricSum(executions, 'trellis_query_executions_total', { source: 'events', dataset: 'events_live' }),
    ).toBe(40);
    // A label value containing an escaped quote or a comma does not split the label list wrongly.
    expect(metricSum('m{a="x\\",y",b="1"} 7\n', 'm', { b: '1' })).toBe(7);
    expect(metricSum(text, 'trellis_http_errors_total')).toBe(66);
  });
});
