import { describe, expect, test } from 'vitest';
import { loopDelayMs, metricValue } from './prometheus-text.js';

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
});
