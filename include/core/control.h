/*
 * Runtime control of the proxy: databases paused (PAUSE, KILL, migrations), disabled
 * (DISABLE), the whole proxy paused or suspended. Set by console commands and signals, read
 * by pools, logins, SHOW STATE / SHOW DATABASES and /readyz from any thread.
 */
#ifndef MYRMEX_CORE_CONTROL_H
#define MYRMEX_CORE_CONTROL_H

#include <stdbool.h>

/* Whether new transactions on db wait: db or every database is paused, or SUSPEND. */
bool control_paused(const char *db);
/* Whether db refuses new client connections (DISABLE). */
bool control_disabled(const char *db);
/* Whether the whole proxy is paused (PAUSE with no database) or suspended (SUSPEND). */
bool control_all_paused(void);
bool control_suspended(void);

#endif
