/*
 * PostgreSQL types on SQLite storage: type OIDs, how each type is stored in SQLite, and the
 * conversions between stored values and PostgreSQL's text and binary wire formats.
 *
 * Storage (the translator emits values in these forms; src/sql/types.c reads them back):
 *   bool                 INTEGER 0/1
 *   int2, int4, int8     INTEGER
 *   float4, float8       REAL (NaN as the text 'NaN': SQLite stores a NaN double as NULL)
 *   numeric              INTEGER or REAL (NUMERIC affinity); numeric(p,s) output has s digits
 *   text, varchar, bpchar, name   TEXT
 *   bytea                BLOB
 *   date                 TEXT 'YYYY-MM-DD'
 *   time                 TEXT 'HH:MM:SS[.ffffff]'
 *   timestamp            TEXT 'YYYY-MM-DD HH:MM:SS[.ffffff]'
 *   timestamptz          TEXT in UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]+00'
 *   interval             TEXT as PostgreSQL's postgres IntervalStyle prints it
 *   uuid                 TEXT, lowercase canonical 8-4-4-4-12
 *   json, jsonb          TEXT (jsonb normalised as PostgreSQL prints it)
 * A column's declared type in SQLite is the PostgreSQL type name (CREATE TABLE keeps it), so
 * sqlite3_column_decltype() gives the type back; pgtype_from_decltype() maps it to an OID.
 */
#ifndef MYRMEX_SQL_TYPES_H
#define MYRMEX_SQL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3_value;
struct sqlite3_stmt;
struct evbuffer;

enum {
    PGOID_BOOL = 16,
    PGOID_BYTEA = 17,
    PGOID_CHAR = 18,
    PGOID_NAME = 19,
    PGOID_INT8 = 20,
    PGOID_INT2 = 21,
    PGOID_INT4 = 23,
    PGOID_REGPROC = 24,
    PGOID_TEXT = 25,
    PGOID_OID = 26,
    PGOID_JSON = 114,
    PGOID_FLOAT4 = 700,
    PGOID_FLOAT8 = 701,
    PGOID_UNKNOWN = 705,
    PGOID_BPCHAR = 1042,
    PGOID_VARCHAR = 1043,
    PGOID_DATE = 1082,
    PGOID_TIME = 1083,
    PGOID_TIMESTAMP = 1114,
    PGOID_TIMESTAMPTZ = 1184,
    PGOID_INTERVAL = 1186,
    PGOID_NUMERIC = 1700,
    PGOID_UUID = 2950,
    PGOID_JSONB = 3802,
};

/* Session settings that change how values print. */
struct pg_format_settings {
    int extra_float_digits; /* PostgreSQL default 1: shortest round-trip output when > 0 */
    char timezone[64];      /* TimeZone: an IANA name ("Europe/Berlin"), "UTC", or an offset */
    bool datestyle_iso;     /* DateStyle ISO (only ISO, MDY / ISO, DMY are supported) */
    char intervalstyle[24]; /* postgres or iso_8601 (SET refuses the others) */
};

void pg_format_settings_default(struct pg_format_settings *fs);

/* OID (and typmod, -1 when none) of a declared column type; 0 when unknown. */
uint32_t pgtype_from_decltype(const char *decltype, int32_t *typmod);
/* The type's name as pg_type.typname has it ("int4", "timestamptz", ...). */
const char *pgtype_name(uint32_t oid);
/* pg_type.typlen: -1 for variable length. */
int16_t pgtype_len(uint32_t oid);
/* OID for a stored value whose column type is unknown (INTEGER int8, REAL float8, TEXT text, BLOB
 * bytea). */
uint32_t pgtype_of_value(struct sqlite3_value *v);

/*
 * Append v (of column type oid/typmod) to out in PostgreSQL's text form; NULL is the caller's
 * business (a DataRow length of -1). false (with *err) when the stored value cannot be shown
 * as that type; *err is "[SQLSTATE] message" (22P02, or 22003 for an integer out of range)
 * in a per-thread buffer valid until the next call on the same thread.
 */
bool pgtype_format_text(uint32_t oid, int32_t typmod, struct sqlite3_value *v,
                        const struct pg_format_settings *fs, struct evbuffer *out,
                        const char **err);
/* The same in binary format (for bool, int2/4/8, oid, float4/8, numeric, text, varchar,
 * bpchar, name, "char", bytea, date, time, timestamp, timestamptz, interval, uuid, json, jsonb);
 * false (0A000) when the type has no binary form here. */
bool pgtype_format_binary(uint32_t oid, int32_t typmod, struct sqlite3_value *v,
                          struct evbuffer *out, const char **err);

/*
 * Bind a parameter received as text (format 0) or binary (format 1) for type oid (0: unknown,
 * bound as text) at SQLite index idx, converting to the storage form above. false with *err
 * (a PostgreSQL message; SQLSTATE 22P02 or 22007/22008 for dates) when the input is invalid.
 */
bool pgtype_bind(struct sqlite3_stmt *st, int idx, uint32_t oid, const char *data, size_t len,
                 int format, const struct pg_format_settings *fs, const char **err, char *errbuf,
                 size_t errcap);

/*
 * Dates, times and zones (src/sql/types_time.c), also for the SQL functions. A timestamp is
 * microseconds since 2000-01-01 00:00:00 (PostgreSQL's epoch), a timestamptz's in UTC; a date
 * is days since 2000-01-01; infinity is INT64_MAX / INT32_MAX, -infinity the minimum. The
 * parsers accept PostgreSQL's ISO input forms and 'infinity', 'now', 'today', 'tomorrow',
 * 'yesterday', 'epoch'; their errors follow pgtype_bind's convention ("[22007] ...").
 * tz is a TimeZone value: a tz database name (any case), "UTC", a number of hours east
 * ("+02", "-3.5") or a POSIX TZ string ("UTC+2" is two hours west).
 */
#define PGTIME_NOBEGIN INT64_MIN
#define PGTIME_NOEND   INT64_MAX

struct pg_interval {
    int64_t usecs;
    int32_t days;
    int32_t months;
};

bool pgtime_parse_timestamp(const char *s, size_t len, bool with_tz, const char *tz, int64_t *us,
                            const char **err, char *errbuf, size_t errcap);
bool pgtime_parse_date(const char *s, size_t len, const char *tz, int32_t *days, const char **err,
                       char *errbuf, size_t errcap);
bool pgtime_parse_time(const char *s, size_t len, int64_t *us, const char **err, char *errbuf,
                       size_t errcap);
bool pgtime_parse_interval(const char *s, size_t len, struct pg_interval *iv, const char **err,
                           char *errbuf, size_t errcap);
/* Printers return the length written (NUL-terminated, truncated to cap). The timestamp and
 * time forms are also the storage forms; a timestamptz's storage form is
 * pgtime_format_timestamptz(us, "UTC", ...). */
size_t pgtime_format_date(int32_t days, char *buf, size_t cap);
size_t pgtime_format_time(int64_t us, char *buf, size_t cap);
size_t pgtime_format_timestamp(int64_t us, char *buf, size_t cap);
size_t pgtime_format_timestamptz(int64_t utc_us, const char *tz, char *buf, size_t cap);
size_t pgtime_format_interval(const struct pg_interval *iv, char *buf, size_t cap);
/* The same in IntervalStyle iso_8601 ("P1Y2M3DT4H5M6S"). */
size_t pgtime_format_interval_iso(const struct pg_interval *iv, char *buf, size_t cap);
/* Zone lookups (cached per process, thread-safe); false for a zone that cannot be resolved. */
bool pgtz_valid(const char *tz);
/* Offset east of UTC, in seconds, of zone tz at the UTC instant utc_us. */
bool pgtz_offset_at(const char *tz, int64_t utc_us, int32_t *gmtoff_s);
/* The UTC instant of a local wall-clock time, resolving DST gaps and overlaps as PostgreSQL. */
bool pgtz_local_to_utc(const char *tz, int64_t local_us, int64_t *utc_us);

/*
 * Numbers (src/sql/types_num.c), also for the SQL functions. Float input as float4in/float8in
 * read it: 0 ok, 1 invalid syntax, 2 out of range. Output as PostgreSQL 12+ prints it.
 */
int pgfloat_parse(const char *s, size_t len, bool single, double *out);
void pgfloat_format(double d, bool single, int extra_float_digits, char *buf, size_t cap);
/* Appends numeric input text s (any numeric_in syntax), or a stored numeric value (INTEGER,
 * REAL or numeric text), rounded half away from zero to typmod's scale when typmod has one, in
 * text (format 0) or binary (format 1) form; false when it is not a number. */
bool pgnumeric_format(const char *s, size_t len, int32_t typmod, int format, struct evbuffer *out);
/* True when numeric input s is stored exactly by the SQLite backend (an int64 integer, at most
 * 15 significant digits, NaN or an infinity); false for anything else, including bad input. */
bool pgnumeric_exact(const char *s, size_t len);
/* The display scale numeric_in gives text s ('1.50' 2, '1e3' 0), -1 when s is no finite
 * number. */
int pgnumeric_text_scale(const char *s);
bool pgnumeric_format_value(struct sqlite3_value *v, int32_t typmod, int format,
                            struct evbuffer *out);
/*
 * Exact results of numeric division, avg(), and + - * ^ on them (src/sql/functions_num.c):
 * SQLite gets the nearest double, so that comparisons and sorting stay numeric, and the exact
 * text is kept per thread, keyed by that double, for the output of a result column whose
 * typmod is an exact one (reported as -1). A value no longer remembered prints as a double.
 * The translator marks such columns PGTYPMOD_NUMERIC_EXACT; the backend turns that into
 * pgtypmod_numeric_exact(column, scale): the result column, whose own results are preferred
 * when two remembered texts share a double (1.5 + 1.5 and 1.50 * 2 in one row), and for a
 * coalesce/CASE of a numeric(p,s) column and constants, the scale s its column values print
 * with (-1: none) while remembered constants print their own digits.
 */
#define PGTYPMOD_NUMERIC_EXACT (-2)
/*
 * The digits of numeric parameters: a parameter is bound as an integer or a double, so
 * pgnumeric_bind keeps its text per thread, keyed by the statement, the parameter number and
 * the bound number; pgnumeric_param_exact finds it again while the executor steps that
 * statement (pgnumeric_set_statement), for pg_numeric_op's scale (2.5 + '0.50' is 3.00).
 */
void pgnumeric_set_statement(const struct sqlite3_stmt *st);
const char *pgnumeric_param_exact(int idx, double d);
int32_t pgtypmod_numeric_exact(int column, int scale);
/* Remembers text for d as a result of column (-1: an operand, no result column) and returns
 * the double SQLite is to get: d, or a neighbour of d when another number with the same
 * nearest double is remembered. */
double pgnumeric_remember_exact(double d, const char *text, int column);
/* The text remembered for d, preferring column's (-1: the most recent), or NULL. */
const char *pgnumeric_recall_exact(double d, int column);
/* Forgets what the thread remembered, before a new statement runs: a stored value equal to an
 * earlier statement's result must not print that result's digits. */
void pgnumeric_forget_exact(void);
/* pgtype_bind for float4/float8 and numeric. NaN is stored as the text 'NaN' because SQLite
 * turns a NaN double into NULL. */
bool pgfloat_bind(struct sqlite3_stmt *st, int idx, const char *data, size_t len, int format,
                  bool single, const char **err, char *errbuf, size_t errcap);
bool pgnumeric_bind(struct sqlite3_stmt *st, int idx, const char *data, size_t len, int format,
                    const char **err, char *errbuf, size_t errcap);

/* json (src/sql/types_json.c): validates s; with out (jsonb), appends it as PostgreSQL prints
 * jsonb. false with *err, a static "[22P02] invalid input syntax for type json" (22P05 for
 * \u0000 in jsonb, 54001 past 1000 levels of nesting). */
bool pgjson_parse(const char *s, size_t len, bool jsonb, struct evbuffer *out, const char **err);

#endif
