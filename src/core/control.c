/*
 * Runtime control flags (control.h). A small table of database names with their flags, under
 * one mutex; n_set counts everything that is set so that the hot path (every server acquired)
 * pays one atomic load while nothing is paused.
 */
#include "core/control.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct control_db {
    char *name;
    bool paused, disabled;
    int migrating;         /* migration runs holding its new transactions */
    int64_t migrating_end; /* until when (monotonic ms): the hold lapses by itself */
};

static pthread_mutex_t control_lock = PTHREAD_MUTEX_INITIALIZER;
static struct control_db *control_dbs;
static size_t control_n, control_cap;
static bool control_all, control_susp;
static atomic_int control_n_set;

/* Recount n_set (lock held). */
static void control_recount(void)
{
    int n = control_all + control_susp;
    for (size_t i = 0; i < control_n; i++)
        n += control_dbs[i].paused + control_dbs[i].disabled + (control_dbs[i].migrating > 0);
    atomic_store(&control_n_set, n);
}

/* The entry of db, created when create (lock held). */
static struct control_db *control_find(const char *db, bool create)
{
    for (size_t i = 0; i < control_n; i++)
        if (strcmp(control_dbs[i].name, db) == 0)
            return &control_dbs[i];
    if (!create)
        return NULL;
    if (control_n == control_cap) {
        control_cap = control_cap ? control_cap * 2 : 8;
        control_dbs = xrealloc(control_dbs, control_cap * sizeof(*control_dbs));
    }
    memset(&control_dbs[control_n], 0, sizeof(control_dbs[0]));
    control_dbs[control_n].name = xstrdup(db);
    return &control_dbs[control_n++];
}

static bool control_get(const char *db, bool disabled)
{
    const struct control_db *e;
    bool on;

    if (atomic_load_explicit(&control_n_set, memory_order_acquire) == 0)
        return false;
    pthread_mutex_lock(&control_lock);
    if (!disabled && (control_all || control_susp)) {
        on = true;
    } else {
        e = db ? control_find(db, false) : NULL;
        on = e && (disabled ? e->disabled
                            : e->paused || (e->migrating > 0 && now_ms() < e->migrating_end));
    }
    pthread_mutex_unlock(&control_lock);
    return on;
}

bool control_paused(const char *db)
{
    return control_get(db, false);
}

bool control_disabled(const char *db)
{
    return control_get(db, true);
}

bool control_all_paused(void)
{
    bool on;
    pthread_mutex_lock(&control_lock);
    on = control_all;
    pthread_mutex_unlock(&control_lock);
    return on;
}

bool control_suspended(void)
{
    bool on;
    pthread_mutex_lock(&control_lock);
    on = control_susp;
    pthread_mutex_unlock(&control_lock);
    return on;
}

bool control_db_paused_itself(const char *db)
{
    const struct control_db *e;
    bool on;
    pthread_mutex_lock(&control_lock);
    e = control_find(db, false);
    on = e && e->paused;
    pthread_mutex_unlock(&control_lock);
    return on;
}

bool control_any_db_paused(void)
{
    bool on = false;
    pthread_mutex_lock(&control_lock);
    for (size_t i = 0; i < control_n; i++)
        on = on || control_dbs[i].paused;
    pthread_mutex_unlock(&control_lock);
    return on;
}

void control_set_paused(const char *db, bool on)
{
    pthread_mutex_lock(&control_lock);
    if (db) {
        control_find(db, true)->paused = on;
    } else {
        control_all = on;
        /* RESUME with no database resumes every database (PgBouncer's only ends a PAUSE of
         * everything: one RESUME that always ends every pause is simpler to operate). */
        if (!on)
            for (size_t i = 0; i < control_n; i++)
                control_dbs[i].paused = false;
    }
    control_recount();
    pthread_mutex_unlock(&control_lock);
}

void control_set_migrating(const char *db, bool on, int64_t max_ms)
{
    struct control_db *e;
    pthread_mutex_lock(&control_lock);
    e = control_find(db, true);
    if (on) {
        int64_t end = now_ms() + max_ms;
        if (e->migrating++ == 0 || end > e->migrating_end)
            e->migrating_end = end;
    } else if (e->migrating > 0) {
        e->migrating--;
    }
    control_recount();
    pthread_mutex_unlock(&control_lock);
}

bool control_migrating(const char *db)
{
    const struct control_db *e;
    bool on;
    pthread_mutex_lock(&control_lock);
    e = control_find(db, false);
    on = e && e->migrating > 0 && now_ms() < e->migrating_end;
    pthread_mutex_unlock(&control_lock);
    return on;
}

void control_set_disabled(const char *db, bool on)
{
    pthread_mutex_lock(&control_lock);
    control_find(db, true)->disabled = on;
    control_recount();
    pthread_mutex_unlock(&control_lock);
}

void control_set_suspended(bool on)
{
    pthread_mutex_lock(&control_lock);
    control_susp = on;
    control_recount();
    pthread_mutex_unlock(&control_lock);
}

void control_free(void)
{
    pthread_mutex_lock(&control_lock);
    for (size_t i = 0; i < control_n; i++)
        free(control_dbs[i].name);
    free(control_dbs);
    control_dbs = NULL;
    control_n = control_cap = 0;
    control_all = control_susp = false;
    control_recount();
    pthread_mutex_unlock(&control_lock);
}
