/*
 * Pure helpers of the pg_catalog emulation on SQLite (src/sql/catalog.c): the OID scheme for
 * SQLite objects, format_type(), and PostgreSQL array literals as the catalog stores them
 * ('{a,b}' text, or the space-separated form of int2vector/oidvector). No SQLite handle here;
 * the catalog tables themselves are built by src/sqlite/sqlite_catalog.c.
 */
#ifndef MYRMEX_SQL_CATALOG_H
#define MYRMEX_SQL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed OIDs of the emulated catalog (PostgreSQL 15's where they exist). */
enum {
    PGCAT_NS_CATALOG = 11,
    PGCAT_NS_TOAST = 99,
    PGCAT_NS_PUBLIC = 2200,
    PGCAT_NS_INFORMATION_SCHEMA = 13205,
    PGCAT_ROLE_BOOTSTRAP = 10,        /* the connecting user owns everything */
    PGCAT_ROLE_DATABASE_OWNER = 6171, /* pg_database_owner: owner of schema public */
    PGCAT_AM_HEAP = 2,
    PGCAT_AM_BTREE = 403,
    PGCAT_TABLESPACE_DEFAULT = 1663,
    PGCAT_COLLATION_DEFAULT = 100,
    PGCAT_DATABASE_OID = 16384, /* the one database a handle serves */
    PGCAT_FIRST_USER_OID = 16385,
};

/*
 * The OID of a relation, constraint or other object of an SQLite database: a deterministic
 * function (FNV-1a, 32 bits) of a kind letter and the name, folded into
 * [PGCAT_FIRST_USER_OID, 2^31). It is stable across connections and restarts and needs no
 * storage (so no write transaction in a read-only query). kind: 'r' for pg_class (tables,
 * views, indexes and sequences share one name space in SQLite as in a PostgreSQL schema),
 * 'c' constraints ("table.name"), 'd' defaults ("table.column").
 */
uint32_t pgcat_oid(char kind, const char *name);

/* format_type(type oid, typmod) as PostgreSQL prints it ("character varying(100)",
 * "numeric(10,2)", "timestamp with time zone"); "???" for an unknown type. */
void pgcat_format_type(uint32_t oid, int32_t typmod, char *buf, size_t cap);

/*
 * Arrays in the catalog are stored as PostgreSQL's text forms: "{a,b}" (lower bound 1) or, for
 * int2vector/oidvector, "1 2" (lower bound 0). pgcat_array_next walks the elements: *pos starts
 * at 0; each call copies the next element (dequoted) into buf and returns true, *is_null for
 * NULL; false at the end.
 */
bool pgcat_array_next(const char *arr, size_t *pos, char *buf, size_t cap, bool *is_null);
/* Lower bound of the stored form: 0 for a vector, 1 for a "{...}" array. */
int pgcat_array_lower(const char *arr);

#endif
