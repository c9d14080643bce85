/*
 * Pure helpers of the pg_catalog emulation: the OID scheme, format_type() and PostgreSQL
 * array text. The catalog tables are built from the SQLite schema by src/sqlite/sqlite_catalog.c.
 */
#include "sql/catalog.h"

#include <stdio.h>
#include <string.h>

#include "sql/types.h"

uint32_t pgcat_oid(char kind, const char *name)
{
    /* FNV-1a over "kind:name"; the span above the first user OID keeps system OIDs apart. */
    uint32_t h = 2166136261u;
    h = (h ^ (uint8_t)kind) * 16777619u;
    h = (h ^ (uint8_t)':') * 16777619u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    const uint32_t span = 0x80000000u - PGCAT_FIRST_USER_OID;
    return PGCAT_FIRST_USER_OID + h % span;
}

void pgcat_format_type(uint32_t oid, int32_t typmod, char *buf, size_t cap)
{
    const char *name = NULL;
    switch (oid) {
    case PGOID_BOOL:
        name = "boolean";
        break;
    case PGOID_INT2:
        name = "smallint";
        break;
    case PGOID_INT4:
        name = "integer";
        break;
    case PGOID_INT8:
        name = "bigint";
        break;
    case PGOID_FLOAT4:
        name = "real";
        break;
    case PGOID_FLOAT8:
        name = "double precision";
        break;
    case PGOID_CHAR:
        name = "\"char\"";
        break;
    case PGOID_NUMERIC:
        if (typmod >= 4) {
            int32_t m = typmod - 4;
            snprintf(buf, cap, "numeric(%d,%d)", (m >> 16) & 0xffff, m & 0xffff);
            return;
        }
        name = "numeric";
        break;
    case PGOID_VARCHAR:
        if (typmod >= 4) {
            snprintf(buf, cap, "character varying(%d)", typmod - 4);
            return;
        }
        name = "character varying";
        break;
    case PGOID_BPCHAR:
        if (typmod >= 4) {
            snprintf(buf, cap, "character(%d)", typmod - 4);
            return;
        }
        name = "character";
        break;
    case PGOID_TIME:
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ: {
        const char *base = oid == PGOID_TIME ? "time" : "timestamp";
        const char *zone = oid == PGOID_TIMESTAMPTZ ? "with" : "without";
        if (typmod >= 0)
            snprintf(buf, cap, "%s(%d) %s time zone", base, typmod, zone);
        else
            snprintf(buf, cap, "%s %s time zone", base, zone);
        return;
    }
    case PGOID_INTERVAL:
        if (typmod >= 0 && typmod < 7) {
            snprintf(buf, cap, "interval(%d)", typmod);
            return;
        }
        name = "interval";
        break;
    default:
        name = pgtype_name(oid);
        break;
    }
    /* pgtype_name() says "unknown" for a type it does not know; format_type says "???". */
    if (!name || !*name || (oid != PGOID_UNKNOWN && !strcmp(name, "unknown")))
        name = "???";
    snprintf(buf, cap, "%s", name);
}

int pgcat_array_lower(const char *arr)
{
    while (arr && (*arr == ' ' || *arr == '\t'))
        arr++;
    return arr && *arr == '{' ? 1 : 0;
}

bool pgcat_array_next(const char *arr, size_t *pos, char *buf, size_t cap, bool *is_null)
{
    size_t i = *pos, n = 0;
    bool braces = pgcat_array_lower(arr) == 1;
    bool quoted = false;
    *is_null = false;
    if (!arr || !cap)
        return false;
    if (i == 0) {
        while (arr[i] == ' ' || arr[i] == '\t')
            i++;
        if (braces)
            i++;
    }
    char sep = braces ? ',' : ' ';
    while (arr[i] == ' ')
        i++;
    if (!arr[i] || (braces && arr[i] == '}'))
        return false;
    if (arr[i] == '"') {
        quoted = true;
        i++;
        while (arr[i] && arr[i] != '"') {
            if (arr[i] == '\\' && arr[i + 1])
                i++;
            if (n + 1 < cap)
                buf[n++] = arr[i];
            i++;
        }
        if (arr[i] == '"')
            i++;
    } else {
        while (arr[i] && arr[i] != sep && !(braces && arr[i] == '}')) {
            if (n + 1 < cap)
                buf[n++] = arr[i];
            i++;
        }
    }
    buf[n] = '\0';
    if (!quoted && braces && !strcmp(buf, "NULL"))
        *is_null = true;
    if (arr[i] == sep)
        i++;
    *pos = i;
    return true;
}
