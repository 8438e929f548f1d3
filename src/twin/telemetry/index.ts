/** Telemetry of the twin: the request simulation's stores and the Prometheus / Jaeger HTTP APIs over them. */
export { startTelemetry, TelemetryOptions, TelemetryHandle, Endpoint, serveHandler, callErrorsHook, wrk2OracleFor } from './servers';
export { prometheusHandler, PrometheusApiOptions, formatValue } from './prometheus-api';
export { jaegerHandler, JaegerApiOptions, traceJson } from './jaeger-api';
export { MetricStore, Series, Labels, Matcher } from './metric-store';
export { TraceStore, TraceRecord, SpanRecord, TraceQuery } from './trace-store';
export { instantQuery, rangeQuery, parsePromQL, PromQLError } from './promql';
export { SimEngine, EngineOptions, ClientStats, SimClock, CallError } from '../sim/engine';
export { loadModel, modelledApps, findAppsDir } from '../sim/load-model';
export { computeHealth, snapshotFromStore, ClusterSnapshot, HealthView, ListeningPorts } from '../sim/health';
