/*
 * Result sets of the console, encoded as PostgreSQL sends them: a RowDescription with the
 * type of each column, DataRows in text format, a CommandComplete tag; or one ErrorResponse.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_int.h"

#define ADMIN_TEXTOID    25
#define ADMIN_INT4OID    23
#define ADMIN_INT8OID    20
#define ADMIN_NUMERICOID 1700
#define ADMIN_FLOAT8OID  701

void admin_result_init(struct admin_result *r)
{
    memset(r, 0, sizeof(*r));
    proto_builder_init(&r->notices);
    proto_builder_init(&r->desc);
    proto_builder_init(&r->rows);
}

void admin_result_fini(struct admin_result *r)
{
    proto_builder_fini(&r->notices);
    proto_builder_fini(&r->desc);
    proto_builder_fini(&r->rows);
}

void admin_result_reset(struct admin_result *r)
{
    admin_result_fini(r);
    admin_result_init(r);
}

void admin_result_columns_v(struct admin_result *r, const char *fmt, const char *const *names)
{
    size_t n = strlen(fmt);

    if (n > ADMIN_MAX_COLUMNS)
        n = ADMIN_MAX_COLUMNS;
    memcpy(r->fmt, fmt, n);
    r->fmt[n] = '\0';
    proto_begin(&r->desc, 'T');
    proto_put_u16(&r->desc, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        uint32_t oid = ADMIN_TEXTOID;
        int16_t len = -1;
        if (fmt[i] == 'i') {
            oid = ADMIN_INT4OID;
            len = 4;
        } else if (fmt[i] == 'q') {
            oid = ADMIN_INT8OID;
            len = 8;
        } else if (fmt[i] == 'N') {
            oid = ADMIN_NUMERICOID;
        } else if (fmt[i] == 'f') {
            oid = ADMIN_FLOAT8OID;
            len = 8;
        }
        proto_put_str(&r->desc, names[i]);
        proto_put_u32(&r->desc, 0); /* table */
        proto_put_u16(&r->desc, 0); /* column */
        proto_put_u32(&r->desc, oid);
        proto_put_u16(&r->desc, (uint16_t)len);
        proto_put_u32(&r->desc, UINT32_MAX); /* typmod -1 */
        proto_put_u16(&r->desc, 0);          /* text */
    }
    proto_end(&r->desc);
    snprintf(r->tag, sizeof(r->tag), "SHOW");
}

void admin_result_columns(struct admin_result *r, const char *fmt, ...)
{
    const char *names[ADMIN_MAX_COLUMNS];
    size_t n = strlen(fmt);
    va_list ap;

    va_start(ap, fmt);
    for (size_t i = 0; i < n && i < ADMIN_MAX_COLUMNS; i++)
        names[i] = va_arg(ap, const char *);
    va_end(ap);
    admin_result_columns_v(r, fmt, names);
}

static void admin_result_put(struct admin_result *r, const char *v)
{
    if (!v) {
        proto_put_u32(&r->rows, UINT32_MAX);
        return;
    }
    proto_put_u32(&r->rows, (uint32_t)strlen(v));
    proto_put_bytes(&r->rows, v, strlen(v));
}

void admin_result_row(struct admin_result *r, ...)
{
    va_list ap;
    size_t n = strlen(r->fmt);
    char buf[64];

    proto_begin(&r->rows, 'D');
    proto_put_u16(&r->rows, (uint16_t)n);
    va_start(ap, r);
    for (size_t i = 0; i < n; i++) {
        switch (r->fmt[i]) {
        case 'i':
            snprintf(buf, sizeof(buf), "%d", va_arg(ap, int));
            admin_result_put(r, buf);
            break;
        case 'q':
            snprintf(buf, sizeof(buf), "%" PRId64, va_arg(ap, int64_t));
            admin_result_put(r, buf);
            break;
        case 'N':
            snprintf(buf, sizeof(buf), "%" PRIu64, va_arg(ap, uint64_t));
            admin_result_put(r, buf);
            break;
        case 'f': {
            double d = va_arg(ap, double);
            if (!isfinite(d)) {
                admin_result_put(r, NULL);
                break;
            }
            snprintf(buf, sizeof(buf), "%.3f", d);
            admin_result_put(r, buf);
            break;
        }
        case 'T': {
            int64_t ms = va_arg(ap, int64_t);
            time_t t = (time_t)(ms / 1000);
            struct tm tm;
            if (ms <= 0 || !localtime_r(&t, &tm) ||
                !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm)) {
                admin_result_put(r, NULL);
                break;
            }
            admin_result_put(r, buf);
            break;
        }
        default:
            admin_result_put(r, va_arg(ap, const char *));
            break;
        }
    }
    va_end(ap);
    proto_end(&r->rows);
    r->n_rows++;
}

void admin_result_row_text(struct admin_result *r, const char *const *values)
{
    size_t n = strlen(r->fmt);

    proto_begin(&r->rows, 'D');
    proto_put_u16(&r->rows, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        admin_result_put(r, values[i]);
    proto_end(&r->rows);
    r->n_rows++;
}

void admin_result_notice(struct admin_result *r, const char *message, const char *detail)
{
    struct proto_error e = {
        .severity = "NOTICE", .sqlstate = "00000", .message = message, .detail = detail};
    proto_write_notice(&r->notices, &e);
}

void admin_result_tag(struct admin_result *r, const char *tag)
{
    snprintf(r->tag, sizeof(r->tag), "%s", tag);
}

void admin_result_error(struct admin_result *r, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;

    proto_builder_reset(&r->desc);
    proto_builder_reset(&r->rows);
    r->fmt[0] = '\0';
    r->n_rows = 0;
    r->error = true;
    snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", sqlstate);
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
}
