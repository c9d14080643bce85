/*
 * GET /metrics: the proxy's pools, traffic, heaviest query fingerprints and alerts in the
 * Prometheus text exposition format (version 0.0.4).
 */
#ifndef MYRMEX_HTTP_METRICS_H
#define MYRMEX_HTTP_METRICS_H

/* Add the /metrics route (http_route); before http_start. */
void metrics_register(void);

#endif
