/*
 * Unit tests for the v3 protocol codec (src/wire/proto.c): every encoder is read back through
 * the reader or a decoder, every length field is checked against the real length, and the
 * decoders are fed every truncation of a valid body from an exactly sized heap copy, so that
 * a sanitizer build catches any read past the end.
 */
#include "wire/proto.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One framed message found in a builder's output. */
struct frame {
    uint8_t type; /* 0 for an untyped startup-phase packet */
    uint32_t len; /* the length field, which counts itself */
    const uint8_t *body;
    size_t body_len;
};

/*
 * Decode the frame at *off in b and advance *off past it, asserting that the length field
 * fits inside what was written.
 */
static struct frame frame_at(const struct proto_builder *b, size_t *off, bool typed)
{
    struct frame f;
    size_t hdr = typed ? PROTO_HEADER_LEN : 4;

    ck_assert_uint_ge(b->len - *off, hdr);
    f.type = typed ? b->data[*off] : 0;
    f.len = proto_read_u32(b->data + *off + (typed ? 1 : 0));
    ck_assert_uint_ge(f.len, 4);
    ck_assert_uint_le((size_t)f.len - 4, b->len - *off - hdr);
    f.body = b->data + *off + hdr;
    f.body_len = f.len - 4;
    *off += hdr + f.body_len;
    return f;
}

/* Assert that b holds exactly one message of the given type and return it. */
static struct frame only_frame(const struct proto_builder *b, uint8_t type)
{
    size_t off = 0;
    struct frame f;

    ck_assert(!b->failed);
    f = frame_at(b, &off, type != 0);
    ck_assert_uint_eq(f.type, type);
    ck_assert_uint_eq(off, b->len);
    ck_assert_uint_eq(f.len, b->len - (type ? 1 : 0));
    return f;
}

/* A heap copy of exactly n bytes, so that any read past n is an ASan error. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

static bool parse_startup_copy(const uint8_t *body, size_t len, struct proto_startup *out,
                               const char **reason)
{
    uint8_t *c = exact_copy(body, len);
    bool ok = proto_parse_startup(c, len, out, reason);
    free(c);
    return ok;
}

/* ---- reader ---- */

START_TEST(test_reader_values)
{
    static const uint8_t buf[] = {0x7f, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
                                  'h',  'i',  0,    0,    1,    2,    3};
    struct proto_reader r;
    const uint8_t *p;

    proto_reader_init(&r, buf, sizeof(buf));
    ck_assert_uint_eq(proto_remaining(&r), sizeof(buf));
    ck_assert_uint_eq(proto_get_u8(&r), 0x7f);
    ck_assert_uint_eq(proto_get_u16(&r), 0x1234);
    ck_assert_uint_eq(proto_get_u32(&r), 0xdeadbeefu);
    ck_assert_str_eq(proto_get_str(&r), "hi");
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert_uint_eq(proto_remaining(&r), 3);
    p = proto_get_bytes(&r, 3);
    ck_assert_ptr_eq(p, buf + 11);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    p = proto_get_bytes(&r, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert(!r.failed);
    ck_assert_uint_eq(proto_read_u32(buf + 3), 0xdeadbeefu);
}
END_TEST

START_TEST(test_reader_sticky_past_end)
{
    static const uint8_t buf[] = {1, 2, 3, 'a', 0};
    struct proto_reader r;

    proto_reader_init(&r, buf, sizeof(buf));
    ck_assert_uint_eq(proto_get_u16(&r), 0x0102);
    /* Three bytes remain; a u32 does not fit and must not consume anything usable. */
    ck_assert_uint_eq(proto_get_u32(&r), 0);
    ck_assert(r.failed);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    /* Once failed, every read fails even though bytes remain in the body. */
    ck_assert_uint_eq(proto_get_u8(&r), 0);
    ck_assert_uint_eq(proto_get_u16(&r), 0);
    ck_assert_ptr_null(proto_get_bytes(&r, 1));
    ck_assert_ptr_null(proto_get_bytes(&r, 0));
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(r.failed);
}
END_TEST

START_TEST(test_reader_each_width_past_end)
{
    static const uint8_t buf[] = {9, 9, 9};
    struct proto_reader r;

    proto_reader_init(&r, buf, 0);
    ck_assert_uint_eq(proto_get_u8(&r), 0);
    ck_assert(r.failed);

    proto_reader_init(&r, buf, 1);
    ck_assert_uint_eq(proto_get_u16(&r), 0);
    ck_assert(r.failed);

    proto_reader_init(&r, buf, 3);
    ck_assert_uint_eq(proto_get_u32(&r), 0);
    ck_assert(r.failed);

    proto_reader_init(&r, buf, 3);
    ck_assert_ptr_null(proto_get_bytes(&r, 4));
    ck_assert(r.failed);

    /* A huge count must not wrap around the bounds check. */
    proto_reader_init(&r, buf, 3);
    proto_get_u8(&r);
    ck_assert_ptr_null(proto_get_bytes(&r, SIZE_MAX));
    ck_assert(r.failed);
}
END_TEST

START_TEST(test_reader_str_without_nul)
{
    static const uint8_t buf[] = {'a', 'b', 'c', 0, 'd', 'e'};
    struct proto_reader r;
    uint8_t *c = exact_copy(buf, sizeof(buf));

    proto_reader_init(&r, c, sizeof(buf));
    ck_assert_str_eq(proto_get_str(&r), "abc");
    ck_assert(!r.failed);
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(r.failed);
    ck_assert_uint_eq(proto_remaining(&r), 0);

    /* A NUL just past the body's end must not be found. */
    proto_reader_init(&r, c, 3);
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(r.failed);

    /* Nothing left at all. */
    proto_reader_init(&r, c, 4);
    proto_get_str(&r);
    ck_assert(!r.failed);
    proto_reader_init(&r, c + 4, 0);
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(r.failed);
    free(c);
}
END_TEST

/* A zero-length body may arrive as NULL (an empty buffer); reads must fail cleanly. */
START_TEST(test_reader_null_empty_body)
{
    struct proto_reader r;

    proto_reader_init(&r, NULL, 0);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    ck_assert_ptr_nonnull(proto_get_bytes(&r, 0));
    ck_assert(!r.failed);
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(r.failed);

    proto_reader_init(&r, NULL, 0);
    ck_assert_uint_eq(proto_get_u32(&r), 0);
    ck_assert(r.failed);
}
END_TEST

/* ---- builder ---- */

START_TEST(test_builder_primitives)
{
    struct proto_builder b;
    static const uint8_t want[] = {'x',  0,    0,    0,   17,  0xab, 0x12, 0x34, 0xde,
                                   0xad, 0xbe, 0xef, 'o', 'k', 0,    1,    2,    3};
    struct frame f;

    proto_builder_init(&b);
    proto_begin(&b, 'x');
    proto_put_u8(&b, 0xab);
    proto_put_u16(&b, 0x1234);
    proto_put_u32(&b, 0xdeadbeefu);
    proto_put_str(&b, "ok");
    proto_put_bytes(&b, NULL, 0);
    proto_put_bytes(&b, "\1\2\3", 3);
    proto_end(&b);
    ck_assert(!b.failed);
    ck_assert_uint_eq(b.len, sizeof(want));
    ck_assert_mem_eq(b.data, want, sizeof(want));
    f = only_frame(&b, 'x');
    ck_assert_uint_eq(f.body_len, 13);

    /* Reset keeps the buffer but starts over, with a fresh length for the next message. */
    proto_builder_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    proto_begin(&b, 0);
    proto_put_u32(&b, 7);
    proto_end(&b);
    f = only_frame(&b, 0);
    ck_assert_uint_eq(f.len, 8);
    ck_assert_uint_eq(proto_read_u32(f.body), 7);

    proto_builder_fini(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_builder_growth_10mb)
{
    const size_t big = 10u * 1024 * 1024;
    uint8_t *chunk = malloc(big);
    struct proto_builder b;
    struct frame f;
    size_t i;

    ck_assert_ptr_nonnull(chunk);
    for (i = 0; i < big; i++)
        chunk[i] = (uint8_t)(i * 31 + 7);

    /* One 10 MB append into a fresh builder. */
    proto_builder_init(&b);
    proto_write_ready(&b, 'I'); /* a message before, so msg_start is not 0 */
    proto_begin(&b, 'd');
    proto_put_bytes(&b, chunk, big);
    proto_end(&b);
    proto_write_terminate(&b);
    ck_assert(!b.failed);
    ck_assert_uint_eq(b.len, 6 + 5 + big + 5);
    {
        size_t off = 0;
        f = frame_at(&b, &off, true);
        ck_assert_uint_eq(f.type, 'Z');
        f = frame_at(&b, &off, true);
        ck_assert_uint_eq(f.type, 'd');
        ck_assert_uint_eq(f.len, big + 4);
        ck_assert_uint_eq(f.body_len, big);
        ck_assert_mem_eq(f.body, chunk, big);
        f = frame_at(&b, &off, true);
        ck_assert_uint_eq(f.type, 'X');
        ck_assert_uint_eq(off, b.len);
    }

    /* The same 10 MB in many small appends, each of which may grow the buffer. */
    proto_builder_reset(&b);
    proto_begin(&b, 'd');
    for (i = 0; i < big; i += 4093) {
        size_t n = big - i < 4093 ? big - i : 4093;
        proto_put_bytes(&b, chunk + i, n);
    }
    proto_end(&b);
    f = only_frame(&b, 'd');
    ck_assert_uint_eq(f.len, big + 4);
    ck_assert_mem_eq(f.body, chunk, big);

    proto_builder_fini(&b);
    free(chunk);
}
END_TEST

/* ---- ErrorResponse / NoticeResponse ---- */

static void check_error_round_trip(uint8_t type, const char *detail, const char *hint)
{
    struct proto_builder b;
    struct proto_error e = {
        .severity = type == 'E' ? "FATAL" : "NOTICE",
        .sqlstate = type == 'E' ? "28P01" : "00000",
        .message = "password authentication failed for user \"alice\"",
        .detail = detail,
        .hint = hint,
    };
    struct proto_error_fields got;
    struct frame f;

    proto_builder_init(&b);
    if (type == 'E')
        proto_write_error(&b, &e);
    else
        proto_write_notice(&b, &e);
    f = only_frame(&b, type);
    ck_assert(proto_parse_error(f.body, f.body_len, &got));
    ck_assert_str_eq(got.severity, e.severity);
    ck_assert_str_eq(got.sqlstate, e.sqlstate);
    ck_assert_str_eq(got.message, e.message);
    if (detail)
        ck_assert_str_eq(got.detail, detail);
    else
        ck_assert_ptr_null(got.detail);
    if (hint)
        ck_assert_str_eq(got.hint, hint);
    else
        ck_assert_ptr_null(got.hint);

    /* Every strict prefix lacks the terminator (or more) and must be refused. */
    for (size_t n = 0; n < f.body_len; n++) {
        uint8_t *c = exact_copy(f.body, n);
        ck_assert_msg(!proto_parse_error(c, n, &got), "prefix %zu of %zu accepted", n, f.body_len);
        free(c);
    }
    proto_builder_fini(&b);
}

START_TEST(test_error_round_trip)
{
    check_error_round_trip('E', NULL, NULL);
    check_error_round_trip('E', "the detail", NULL);
    check_error_round_trip('E', NULL, "the hint");
    check_error_round_trip('E', "the detail", "the hint");
    check_error_round_trip('E', "", "");
}
END_TEST

START_TEST(test_notice_round_trip)
{
    check_error_round_trip('N', NULL, NULL);
    check_error_round_trip('N', "the detail", NULL);
    check_error_round_trip('N', NULL, "the hint");
    check_error_round_trip('N', "the detail", "the hint");
}
END_TEST

START_TEST(test_parse_error_fields)
{
    /* V (never localized) wins over S in either order; unknown fields are skipped. */
    static const uint8_t v_last[] = "SFATAL\0VERROR\0Lfile.c\0C42P01\0Mno table\0";
    static const uint8_t v_first[] = "VERROR\0SFEHLER\0Mx\0";
    static const uint8_t s_only[] = "SWARNUNG\0";
    static const uint8_t empty[] = {0};
    struct proto_error_fields got;

    ck_assert(proto_parse_error(v_last, sizeof(v_last), &got));
    ck_assert_str_eq(got.severity, "ERROR");
    ck_assert_str_eq(got.sqlstate, "42P01");
    ck_assert_str_eq(got.message, "no table");
    ck_assert_ptr_null(got.detail);
    ck_assert_ptr_null(got.hint);

    ck_assert(proto_parse_error(v_first, sizeof(v_first), &got));
    ck_assert_str_eq(got.severity, "ERROR");
    ck_assert_ptr_null(got.sqlstate);

    ck_assert(proto_parse_error(s_only, sizeof(s_only), &got));
    ck_assert_str_eq(got.severity, "WARNUNG");

    ck_assert(proto_parse_error(empty, sizeof(empty), &got));
    ck_assert_ptr_null(got.severity);
    ck_assert_ptr_null(got.message);
}
END_TEST

START_TEST(test_parse_error_malformed)
{
    static const uint8_t trailing[] = "Mmsg\0\0x";     /* bytes after the terminator */
    static const uint8_t no_term[] = "Mmsg\0";         /* sizeof - 1: no final 0 */
    static const uint8_t unterminated[] = "Mmsg\0Cab"; /* last string has no NUL */
    struct proto_error_fields got;

    ck_assert(!proto_parse_error(trailing, sizeof(trailing), &got));
    ck_assert(!proto_parse_error(no_term, sizeof(no_term) - 1, &got));
    ck_assert(!proto_parse_error(unterminated, sizeof(unterminated) - 1, &got));
    ck_assert(!proto_parse_error(NULL, 0, &got));
}
END_TEST

/* ---- Authentication ---- */

static void check_auth(uint32_t code, const void *extra, size_t len)
{
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;
    const uint8_t *p;

    proto_builder_init(&b);
    proto_write_auth(&b, code, extra, len);
    f = only_frame(&b, 'R');
    ck_assert_uint_eq(f.len, 8 + len);
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_uint_eq(proto_get_u32(&r), code);
    ck_assert_uint_eq(proto_remaining(&r), len);
    p = proto_get_bytes(&r, len);
    ck_assert(!r.failed);
    if (len)
        ck_assert_mem_eq(p, extra, len);
    proto_builder_fini(&b);
}

START_TEST(test_auth_round_trip)
{
    static const uint8_t salt[4] = {0x01, 0xff, 0x00, 0x7e};
    static const char mechs[] = "SCRAM-SHA-256\0"; /* list closed by an empty name */
    static const char cont[] = "r=abc,s=c2FsdA==,i=4096";
    static const char fin[] = "v=c2lnbmF0dXJl";

    check_auth(PROTO_AUTH_OK, NULL, 0);
    check_auth(PROTO_AUTH_CLEARTEXT, NULL, 0);
    check_auth(PROTO_AUTH_MD5, salt, sizeof(salt));
    check_auth(PROTO_AUTH_SASL, mechs, sizeof(mechs));
    check_auth(PROTO_AUTH_SASL_CONTINUE, cont, strlen(cont));
    check_auth(PROTO_AUTH_SASL_FINAL, fin, strlen(fin));
}
END_TEST

/* ---- other backend messages ---- */

START_TEST(test_param_status_round_trip)
{
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    proto_write_param_status(&b, "server_version", "16.2 (myrmex)");
    f = only_frame(&b, 'S');
    ck_assert_uint_eq(f.len, 4 + sizeof("server_version") + sizeof("16.2 (myrmex)"));
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_str_eq(proto_get_str(&r), "server_version");
    ck_assert_str_eq(proto_get_str(&r), "16.2 (myrmex)");
    ck_assert(!r.failed);
    ck_assert_uint_eq(proto_remaining(&r), 0);

    proto_builder_reset(&b);
    proto_write_param_status(&b, "application_name", "");
    f = only_frame(&b, 'S');
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_str_eq(proto_get_str(&r), "application_name");
    ck_assert_str_eq(proto_get_str(&r), "");
    ck_assert(!r.failed);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_key_data_round_trip)
{
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    proto_write_key_data(&b, 0x80000001u, 0xfedcba98u);
    f = only_frame(&b, 'K');
    ck_assert_uint_eq(f.len, 12);
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_uint_eq(proto_get_u32(&r), 0x80000001u);
    ck_assert_uint_eq(proto_get_u32(&r), 0xfedcba98u);
    ck_assert(!r.failed);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_ready_round_trip)
{
    static const char states[] = {'I', 'T', 'E'};
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    for (size_t i = 0; i < sizeof(states); i++) {
        proto_builder_reset(&b);
        proto_write_ready(&b, states[i]);
        f = only_frame(&b, 'Z');
        ck_assert_uint_eq(f.len, 5);
        proto_reader_init(&r, f.body, f.body_len);
        ck_assert_uint_eq(proto_get_u8(&r), (uint8_t)states[i]);
        ck_assert_uint_eq(proto_remaining(&r), 0);
    }
    proto_builder_fini(&b);
}
END_TEST

/* ---- frontend messages ---- */

START_TEST(test_query_round_trip)
{
    static const char sql[] = "SELECT 'a', $$b$$; -- ünïcode";
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    proto_write_query(&b, sql);
    f = only_frame(&b, 'Q');
    ck_assert_uint_eq(f.len, 4 + sizeof(sql));
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_str_eq(proto_get_str(&r), sql);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    ck_assert(!r.failed);

    proto_builder_reset(&b);
    proto_write_query(&b, "");
    f = only_frame(&b, 'Q');
    ck_assert_uint_eq(f.len, 5);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_terminate_round_trip)
{
    struct proto_builder b;
    struct frame f;

    proto_builder_init(&b);
    proto_write_terminate(&b);
    f = only_frame(&b, 'X');
    ck_assert_uint_eq(f.len, 4);
    ck_assert_uint_eq(f.body_len, 0);
    ck_assert_uint_eq(b.len, 5);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_password_round_trip)
{
    static const char md5[] = "md5a3556571e93b0d20722ba62be61e8c2d";
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    proto_write_password(&b, md5);
    f = only_frame(&b, 'p');
    ck_assert_uint_eq(f.len, 4 + sizeof(md5));
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_str_eq(proto_get_str(&r), md5);
    ck_assert_uint_eq(proto_remaining(&r), 0);
    ck_assert(!r.failed);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_sasl_initial_round_trip)
{
    static const char first[] = "n,,n=,r=rOprNGfwEbeRWgbNEkqO";
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;
    const uint8_t *p;

    proto_builder_init(&b);
    proto_write_sasl_initial(&b, "SCRAM-SHA-256", first, strlen(first));
    f = only_frame(&b, 'p');
    ck_assert_uint_eq(f.len, 4 + sizeof("SCRAM-SHA-256") + 4 + strlen(first));
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_str_eq(proto_get_str(&r), "SCRAM-SHA-256");
    ck_assert_uint_eq(proto_get_u32(&r), strlen(first));
    p = proto_get_bytes(&r, strlen(first));
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, first, strlen(first));
    ck_assert_uint_eq(proto_remaining(&r), 0);
    ck_assert(!r.failed);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_sasl_response_round_trip)
{
    static const char fin[] =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    static const uint8_t binary[] = {0, 1, 0, 0xff};
    struct proto_builder b;
    struct proto_reader r;
    struct frame f;

    proto_builder_init(&b);
    proto_write_sasl_response(&b, fin, strlen(fin));
    f = only_frame(&b, 'p');
    ck_assert_uint_eq(f.body_len, strlen(fin));
    ck_assert_mem_eq(f.body, fin, strlen(fin));

    proto_builder_reset(&b);
    proto_write_sasl_response(&b, binary, sizeof(binary));
    f = only_frame(&b, 'p');
    proto_reader_init(&r, f.body, f.body_len);
    ck_assert_mem_eq(proto_get_bytes(&r, sizeof(binary)), binary, sizeof(binary));
    ck_assert_uint_eq(proto_remaining(&r), 0);

    proto_builder_reset(&b);
    proto_write_sasl_response(&b, NULL, 0);
    f = only_frame(&b, 'p');
    ck_assert_uint_eq(f.len, 4);
    proto_builder_fini(&b);
}
END_TEST

/* ---- startup-phase packets ---- */

START_TEST(test_cancel_round_trip)
{
    struct proto_builder b;
    struct proto_startup s;
    const char *reason = NULL;
    struct frame f;

    proto_builder_init(&b);
    proto_write_cancel(&b, 4242, 0xcafef00du);
    f = only_frame(&b, 0);
    ck_assert_uint_eq(f.len, 16);
    ck_assert(parse_startup_copy(f.body, f.body_len, &s, &reason));
    ck_assert_uint_eq(s.code, PROTO_CANCEL_CODE);
    ck_assert_uint_eq(s.cancel_pid, 4242);
    ck_assert_uint_eq(s.cancel_key, 0xcafef00du);
    ck_assert_uint_eq(s.n_params, 0);

    for (size_t n = 0; n < f.body_len; n++) {
        reason = NULL;
        ck_assert_msg(!parse_startup_copy(f.body, n, &s, &reason), "prefix %zu accepted", n);
        ck_assert_ptr_nonnull(reason);
    }
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_cancel_trailing_refused)
{
    uint8_t body[13];
    struct proto_startup s;
    const char *reason = NULL;

    memset(body, 0, sizeof(body));
    body[0] = (uint8_t)(PROTO_CANCEL_CODE >> 24);
    body[1] = (uint8_t)(PROTO_CANCEL_CODE >> 16);
    body[2] = (uint8_t)(PROTO_CANCEL_CODE >> 8);
    body[3] = (uint8_t)PROTO_CANCEL_CODE;
    ck_assert(parse_startup_copy(body, 12, &s, &reason));
    ck_assert(!parse_startup_copy(body, 13, &s, &reason));
    ck_assert_ptr_nonnull(reason);
}
END_TEST

START_TEST(test_startup_round_trip)
{
    static const char *const names[] = {"user", "database", "application_name", "options",
                                        "client_encoding"};
    static const char *const values[] = {"alice", "app", "", "-c search_path=s1", "UTF8"};
    const size_t n = sizeof(names) / sizeof(names[0]);
    struct proto_builder b;
    struct proto_startup s;
    const char *reason = NULL;
    struct frame f;
    size_t want_len = 4 + 4 + 1;

    for (size_t i = 0; i < n; i++)
        want_len += strlen(names[i]) + 1 + strlen(values[i]) + 1;

    proto_builder_init(&b);
    proto_write_startup(&b, names, values, n);
    f = only_frame(&b, 0);
    ck_assert_uint_eq(f.len, want_len);
    ck_assert(parse_startup_copy(f.body, f.body_len, &s, &reason));
    ck_assert_uint_eq(s.code, PROTO_V3);
    ck_assert_uint_eq(s.n_params, n);
    proto_builder_fini(&b);

    /* Parse from a buffer that outlives the checks, as the names are borrowed. */
    proto_builder_init(&b);
    proto_write_startup(&b, names, values, n);
    f = only_frame(&b, 0);
    ck_assert(proto_parse_startup(f.body, f.body_len, &s, &reason));
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(s.names[i], names[i]);
        ck_assert_str_eq(s.values[i], values[i]);
        ck_assert_str_eq(proto_startup_get(&s, names[i]), values[i]);
    }
    ck_assert_ptr_null(proto_startup_get(&s, "replication"));
    ck_assert_ptr_null(proto_startup_get(&s, "USER"));
    ck_assert_ptr_null(proto_startup_get(&s, ""));

    /* Every strict prefix is refused with a reason. */
    for (size_t len = 0; len < f.body_len; len++) {
        reason = NULL;
        ck_assert_msg(!parse_startup_copy(f.body, len, &s, &reason), "prefix %zu accepted", len);
        ck_assert_ptr_nonnull(reason);
    }
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_startup_no_params)
{
    struct proto_builder b;
    struct proto_startup s;
    const char *reason = NULL;
    struct frame f;

    proto_builder_init(&b);
    proto_write_startup(&b, NULL, NULL, 0);
    f = only_frame(&b, 0);
    ck_assert_uint_eq(f.len, 9);
    ck_assert(parse_startup_copy(f.body, f.body_len, &s, &reason));
    ck_assert_uint_eq(s.code, PROTO_V3);
    ck_assert_uint_eq(s.n_params, 0);
    ck_assert_ptr_null(proto_startup_get(&s, "user"));
    proto_builder_fini(&b);
}
END_TEST

/* A body of just a 4-byte code followed by extra bytes. */
static size_t code_body(uint8_t *out, uint32_t code, const void *extra, size_t n)
{
    out[0] = (uint8_t)(code >> 24);
    out[1] = (uint8_t)(code >> 16);
    out[2] = (uint8_t)(code >> 8);
    out[3] = (uint8_t)code;
    if (n)
        memcpy(out + 4, extra, n);
    return 4 + n;
}

START_TEST(test_startup_encryption_requests)
{
    static const uint32_t codes[] = {PROTO_SSL_CODE, PROTO_GSSENC_CODE};
    uint8_t body[16];
    struct proto_startup s;
    const char *reason;
    size_t len;

    for (size_t i = 0; i < 2; i++) {
        len = code_body(body, codes[i], NULL, 0);
        reason = NULL;
        ck_assert(parse_startup_copy(body, len, &s, &reason));
        ck_assert_uint_eq(s.code, codes[i]);
        ck_assert_uint_eq(s.n_params, 0);

        for (size_t n = 0; n < len; n++) {
            reason = NULL;
            ck_assert(!parse_startup_copy(body, n, &s, &reason));
            ck_assert_ptr_nonnull(reason);
        }
        for (size_t extra = 1; extra <= 8; extra++) {
            len = code_body(body, codes[i], "\0user\0al", extra);
            reason = NULL;
            ck_assert_msg(!parse_startup_copy(body, len, &s, &reason), "code %u + %zu accepted",
                          (unsigned)codes[i], extra);
            ck_assert_ptr_nonnull(reason);
        }
    }
}
END_TEST

START_TEST(test_startup_unknown_version)
{
    static const uint32_t versions[] = {131072 /* 2.0 */, 262144 /* 4.0 */, 0, 0xffffffffu,
                                        (1234u << 16) | 5677 /* next to the special codes */};
    uint8_t body[32];
    struct proto_startup s;
    const char *reason = NULL;
    size_t len;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        /* Left for the caller to reject, whatever follows, with the code it needs to do so. */
        len = code_body(body, versions[i], NULL, 0);
        ck_assert(parse_startup_copy(body, len, &s, &reason));
        ck_assert_uint_eq(s.code, versions[i]);
        ck_assert_uint_eq(s.n_params, 0);
        len = code_body(body, versions[i], "user\0bob\0\0", 10);
        ck_assert(parse_startup_copy(body, len, &s, &reason));
        ck_assert_uint_eq(s.code, versions[i]);
        ck_assert_uint_eq(s.n_params, 0);
    }
}
END_TEST

START_TEST(test_startup_minor_version)
{
    /* 3.2 is still major version 3: parsed like 3.0, the code kept for negotiation. */
    uint8_t body[32];
    struct proto_startup s;
    const char *reason = NULL;
    size_t len = code_body(body, PROTO_V3 + 2, "user\0bob\0\0", 10);

    ck_assert(parse_startup_copy(body, len, &s, &reason));
    ck_assert_uint_eq(s.code, PROTO_V3 + 2);
    ck_assert_uint_eq(s.n_params, 1);
}
END_TEST

/* A v3 startup body with n params named p0, p1, ... */
static void build_startup_n(struct proto_builder *b, size_t n)
{
    char names[PROTO_MAX_STARTUP_PARAMS + 2][8];
    const char *np[PROTO_MAX_STARTUP_PARAMS + 2], *vp[PROTO_MAX_STARTUP_PARAMS + 2];

    ck_assert_uint_le(n, PROTO_MAX_STARTUP_PARAMS + 2);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof(names[i]), "p%zu", i);
        np[i] = names[i];
        vp[i] = "v";
    }
    proto_write_startup(b, np, vp, n);
}

START_TEST(test_startup_too_many_params)
{
    struct proto_builder b;
    struct proto_startup s;
    const char *reason = NULL;
    struct frame f;

    proto_builder_init(&b);
    build_startup_n(&b, PROTO_MAX_STARTUP_PARAMS);
    f = only_frame(&b, 0);
    ck_assert(parse_startup_copy(f.body, f.body_len, &s, &reason));
    ck_assert_uint_eq(s.n_params, PROTO_MAX_STARTUP_PARAMS);

    proto_builder_reset(&b);
    build_startup_n(&b, PROTO_MAX_STARTUP_PARAMS + 1);
    f = only_frame(&b, 0);
    reason = NULL;
    ck_assert(!parse_startup_copy(f.body, f.body_len, &s, &reason));
    ck_assert_ptr_nonnull(reason);
    proto_builder_fini(&b);
}
END_TEST

START_TEST(test_startup_malformed)
{
    uint8_t body[64];
    struct proto_startup s;
    const char *reason;
    size_t len;

    /* Missing the final empty name. */
    len = code_body(body, PROTO_V3, "user\0bob\0", 9);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);

    /* A name without a value. */
    len = code_body(body, PROTO_V3, "user\0bob\0database\0", 18);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);

    /* A final string without its NUL. */
    len = code_body(body, PROTO_V3, "user\0bo", 7);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);

    /* Bytes after the terminator. */
    len = code_body(body, PROTO_V3, "user\0bob\0\0x", 11);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);
    len = code_body(body, PROTO_V3, "\0\0", 2);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);

    /* Nothing but the code. */
    len = code_body(body, PROTO_V3, NULL, 0);
    reason = NULL;
    ck_assert(!parse_startup_copy(body, len, &s, &reason));
    ck_assert_ptr_nonnull(reason);

    /* Nothing at all, even from a NULL buffer. */
    reason = NULL;
    ck_assert(!proto_parse_startup(NULL, 0, &s, &reason));
    ck_assert_ptr_nonnull(reason);
}
END_TEST

/* ---- all encoders back to back ---- */

START_TEST(test_lengths_in_a_stream)
{
    static const struct proto_error e = {"ERROR", "42601", "syntax error", "d", "h", 0};
    static const char *const names[] = {"user"};
    static const char *const values[] = {"bob"};
    static const uint8_t want_types[] = {'E', 'N', 'R', 'S', 'K', 'Z', 'Q', 'X', 'p', 'p', 'p'};
    struct proto_builder b;
    size_t off = 0, i;
    struct frame f;

    proto_builder_init(&b);
    proto_write_error(&b, &e);
    proto_write_notice(&b, &e);
    proto_write_auth(&b, PROTO_AUTH_MD5, "salt", 4);
    proto_write_param_status(&b, "TimeZone", "UTC");
    proto_write_key_data(&b, 1, 2);
    proto_write_ready(&b, 'T');
    proto_write_query(&b, "SELECT 1");
    proto_write_terminate(&b);
    proto_write_password(&b, "secret");
    proto_write_sasl_initial(&b, "SCRAM-SHA-256", "n,,", 3);
    proto_write_sasl_response(&b, "c=biws", 6);
    ck_assert(!b.failed);
    for (i = 0; i < sizeof(want_types); i++) {
        f = frame_at(&b, &off, true);
        ck_assert_uint_eq(f.type, want_types[i]);
    }
    ck_assert_uint_eq(off, b.len);

    /* Untyped packets, back to back. */
    proto_builder_reset(&b);
    proto_write_cancel(&b, 7, 8);
    proto_write_startup(&b, names, values, 1);
    off = 0;
    f = frame_at(&b, &off, false);
    ck_assert_uint_eq(f.len, 16);
    f = frame_at(&b, &off, false);
    ck_assert_uint_eq(f.len, 4 + 4 + 5 + 4 + 1);
    ck_assert_uint_eq(off, b.len);
    proto_builder_fini(&b);
}
END_TEST

/* ---- names ---- */

START_TEST(test_message_names)
{
    ck_assert_str_eq(proto_frontend_name('Q'), "Query");
    ck_assert_str_eq(proto_frontend_name('p'), "PasswordMessage");
    ck_assert_str_eq(proto_frontend_name('X'), "Terminate");
    ck_assert_str_eq(proto_frontend_name('P'), "Parse");
    ck_assert_str_eq(proto_frontend_name('B'), "Bind");
    ck_assert_str_eq(proto_frontend_name('E'), "Execute");
    ck_assert_str_eq(proto_frontend_name('S'), "Sync");
    ck_assert_str_eq(proto_frontend_name('d'), "CopyData");
    ck_assert_str_eq(proto_frontend_name('Z'), "unknown");
    ck_assert_str_eq(proto_frontend_name(0), "unknown");
    ck_assert_str_eq(proto_frontend_name(0xff), "unknown");

    ck_assert_str_eq(proto_backend_name('R'), "Authentication");
    ck_assert_str_eq(proto_backend_name('E'), "ErrorResponse");
    ck_assert_str_eq(proto_backend_name('N'), "NoticeResponse");
    ck_assert_str_eq(proto_backend_name('S'), "ParameterStatus");
    ck_assert_str_eq(proto_backend_name('K'), "BackendKeyData");
    ck_assert_str_eq(proto_backend_name('Z'), "ReadyForQuery");
    ck_assert_str_eq(proto_backend_name('T'), "RowDescription");
    ck_assert_str_eq(proto_backend_name('1'), "ParseComplete");
    ck_assert_str_eq(proto_backend_name('v'), "NegotiateProtocolVersion");
    ck_assert_str_eq(proto_backend_name('Q'), "unknown");
    ck_assert_str_eq(proto_backend_name(0), "unknown");
    ck_assert_str_eq(proto_backend_name(0xff), "unknown");

    /* Every byte value gets a non-empty name. */
    for (unsigned t = 0; t < 256; t++) {
        ck_assert_ptr_nonnull(proto_frontend_name((uint8_t)t));
        ck_assert_ptr_nonnull(proto_backend_name((uint8_t)t));
        ck_assert_uint_gt(strlen(proto_frontend_name((uint8_t)t)), 0);
        ck_assert_uint_gt(strlen(proto_backend_name((uint8_t)t)), 0);
    }
}
END_TEST

static Suite *proto_suite(void)
{
    Suite *s = suite_create("proto");
    TCase *tc;

    tc = tcase_create("reader");
    tcase_add_test(tc, test_reader_values);
    tcase_add_test(tc, test_reader_sticky_past_end);
    tcase_add_test(tc, test_reader_each_width_past_end);
    tcase_add_test(tc, test_reader_str_without_nul);
    tcase_add_test(tc, test_reader_null_empty_body);
    suite_add_tcase(s, tc);

    tc = tcase_create("builder");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_builder_primitives);
    tcase_add_test(tc, test_builder_growth_10mb);
    tcase_add_test(tc, test_lengths_in_a_stream);
    suite_add_tcase(s, tc);

    tc = tcase_create("backend");
    tcase_add_test(tc, test_error_round_trip);
    tcase_add_test(tc, test_notice_round_trip);
    tcase_add_test(tc, test_parse_error_fields);
    tcase_add_test(tc, test_parse_error_malformed);
    tcase_add_test(tc, test_auth_round_trip);
    tcase_add_test(tc, test_param_status_round_trip);
    tcase_add_test(tc, test_key_data_round_trip);
    tcase_add_test(tc, test_ready_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("frontend");
    tcase_add_test(tc, test_query_round_trip);
    tcase_add_test(tc, test_terminate_round_trip);
    tcase_add_test(tc, test_password_round_trip);
    tcase_add_test(tc, test_sasl_initial_round_trip);
    tcase_add_test(tc, test_sasl_response_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("startup");
    tcase_add_test(tc, test_cancel_round_trip);
    tcase_add_test(tc, test_cancel_trailing_refused);
    tcase_add_test(tc, test_startup_round_trip);
    tcase_add_test(tc, test_startup_no_params);
    tcase_add_test(tc, test_startup_encryption_requests);
    tcase_add_test(tc, test_startup_unknown_version);
    tcase_add_test(tc, test_startup_minor_version);
    tcase_add_test(tc, test_startup_too_many_params);
    tcase_add_test(tc, test_startup_malformed);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_message_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proto_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
