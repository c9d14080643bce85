/*
 * Runtime control of the proxy: databases paused (PAUSE, KILL, migrations), disabled
 * (DISABLE), the whole proxy paused or suspended. Set by console commands and signals, read
 * by pools, logins, SHOW STATE / SHOW DATABASES and /readyz from any thread.
 */
#ifndef MYRMEX_CORE_CONTROL_H
#define MYRMEX_CORE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

/* Whether new transactions on db wait: db or every database is paused, a migration holds
 * db, or SUSPEND. */
bool control_paused(const char *db);
/* Whether db refuses new client connections (DISABLE). */
bool control_disabled(const char *db);
/* Whether the whole proxy is paused (PAUSE with no database) or suspended (SUSPEND). */
bool control_all_paused(void);
bool control_suspended(void);
/* Whether db itself was paused (PAUSE db, KILL db), not through a PAUSE of everything. */
bool control_db_paused_itself(const char *db);
/* Whether any one database is paused itself. */
bool control_any_db_paused(void);

/* Setters, for the console and signals. db NULL: every database (RESUME then clears all). */
void control_set_paused(const char *db, bool on);
void control_set_disabled(const char *db, bool on);
/* A migration run holds db's new transactions (on), for at most max_ms (then the hold lapses
 * by itself, even while the run is stuck in a statement), or lets them go (off); runs nest.
 * Apart from PAUSE: RESUME does not end it, and it does not end a PAUSE. */
void control_set_migrating(const char *db, bool on, int64_t max_ms);
bool control_migrating(const char *db);
void control_set_suspended(bool on);
/* At exit. */
void control_free(void);

#endif
