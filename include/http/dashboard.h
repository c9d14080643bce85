/*
 * GET /dashboard: one self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched from elsewhere) of the pools, throughput and latency over time, the heaviest
 * query fingerprints and the active alerts, rendered by the proxy.
 */
#ifndef MYRMEX_HTTP_DASHBOARD_H
#define MYRMEX_HTTP_DASHBOARD_H

/* Add the /dashboard route (http_route); before http_start. */
void dashboard_register(void);

#endif
