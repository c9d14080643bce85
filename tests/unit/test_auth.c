/*
 * Unit tests for src/auth/md5.c and src/auth/scram.c: known answers (PostgreSQL's md5 scheme,
 * the RFC 7677 SCRAM-SHA-256 vector), both SCRAM roles against each other, pass-through keys,
 * and malformed, truncated or mutated peer messages at every step.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/scram.h"

/* The RFC 7677 section 3 example, with PostgreSQL's stored secret form of its password. */
#define RFC_PASSWORD     "pencil"
#define RFC_CLIENT_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT_B64     "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=" RFC_CLIENT_NONCE
#define RFC_SERVER_FIRST "r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096"
#define RFC_CLIENT_FINAL                                                                           \
    "c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=dHzbZapWIk4jUhN+"                            \
    "Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
#define RFC_SECRET                                                                                 \
    "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"            \
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

static const uint8_t rfc_salt[16] = {0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
                                     0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81};
static const uint8_t rfc_client_key[SCRAM_KEY_LEN] = {
    0xa6, 0x0f, 0xc9, 0x23, 0xd6, 0x7e, 0x86, 0x44, 0xa9, 0x2d, 0x16, 0xb9, 0x6e, 0xda, 0x5e, 0xf4,
    0x65, 0x6b, 0x0c, 0x72, 0x5c, 0x48, 0x43, 0x74, 0xbe, 0x25, 0x53, 0x55, 0x76, 0x99, 0x6e, 0x8b};
static const uint8_t rfc_server_key[SCRAM_KEY_LEN] = {
    0xc1, 0xf3, 0xcb, 0xc1, 0xc1, 0x3a, 0x9d, 0x35, 0xa1, 0x4c, 0x09, 0x90, 0xee, 0xd9, 0x76, 0x29,
    0xea, 0x22, 0x58, 0x63, 0xe5, 0x66, 0xa4, 0x31, 0x4a, 0xb9, 0x9f, 0x3f, 0x00, 0xe5, 0xd9, 0xd5};

/* md5("secret" || "postgres"), and the responses to two salts, computed with python3 hashlib. */
#define PG_SECRET            "md553f48b7c4b76a86ce72276c5755f217d"
#define PG_RESPONSE_01020304 "md5bb41a296aab6baccb36ff243a562abff"
#define PG_RESPONSE_DEADBEEF "md5c546d0bbed2af888b328536b45c76348"

static const unsigned char salt_01020304[4] = {0x01, 0x02, 0x03, 0x04};
static const unsigned char salt_deadbeef[4] = {0xde, 0xad, 0xbe, 0xef};

/* ---- md5 ---- */

START_TEST(test_md5_secret_known_value)
{
    char out[MD5_SECRET_LEN + 1];

    md5_secret("postgres", "secret", out);
    ck_assert_str_eq(out, PG_SECRET);
    ck_assert(md5_is_secret(out));
}
END_TEST

START_TEST(test_md5_response_known_value)
{
    char out[MD5_SECRET_LEN + 1];

    md5_response("postgres", "secret", salt_01020304, out);
    ck_assert_str_eq(out, PG_RESPONSE_01020304);
    md5_response("postgres", PG_SECRET, salt_01020304, out);
    ck_assert_str_eq(out, PG_RESPONSE_01020304);
    md5_response("postgres", PG_SECRET, salt_deadbeef, out);
    ck_assert_str_eq(out, PG_RESPONSE_DEADBEEF);
}
END_TEST

START_TEST(test_md5_verify)
{
    char wrong[MD5_SECRET_LEN + 1];

    ck_assert(md5_verify("postgres", "secret", salt_01020304, PG_RESPONSE_01020304));
    ck_assert(md5_verify("postgres", PG_SECRET, salt_01020304, PG_RESPONSE_01020304));
    ck_assert(md5_verify("postgres", PG_SECRET, salt_deadbeef, PG_RESPONSE_DEADBEEF));
    /* A response to another salt, from another password or for another user is refused. */
    ck_assert(!md5_verify("postgres", PG_SECRET, salt_01020304, PG_RESPONSE_DEADBEEF));
    ck_assert(!md5_verify("postgres", "Secret", salt_01020304, PG_RESPONSE_01020304));
    ck_assert(!md5_verify("alice", "secret", salt_01020304, PG_RESPONSE_01020304));
    md5_response("postgres", "wrong", salt_01020304, wrong);
    ck_assert(!md5_verify("postgres", "secret", salt_01020304, wrong));
    /* Malformed responses: NULL, empty, truncated, extended, upper case. */
    ck_assert(!md5_verify("postgres", "secret", salt_01020304, NULL));
    ck_assert(!md5_verify("postgres", "secret", salt_01020304, ""));
    ck_assert(
        !md5_verify("postgres", "secret", salt_01020304, "md5bb41a296aab6baccb36ff243a562abf"));
    ck_assert(
        !md5_verify("postgres", "secret", salt_01020304, "md5bb41a296aab6baccb36ff243a562abff0"));
    ck_assert(
        !md5_verify("postgres", "secret", salt_01020304, "MD5BB41A296AAB6BACCB36FF243A562ABFF"));
}
END_TEST

START_TEST(test_md5_is_secret)
{
    ck_assert(md5_is_secret(PG_SECRET));
    ck_assert(!md5_is_secret(NULL));
    ck_assert(!md5_is_secret(""));
    ck_assert(!md5_is_secret("md5"));
    ck_assert(!md5_is_secret("secret"));
    ck_assert(!md5_is_secret("md553f48b7c4b76a86ce72276c5755f217"));
    ck_assert(!md5_is_secret("md553f48b7c4b76a86ce72276c5755f217d0"));
    ck_assert(!md5_is_secret("md553F48B7C4B76A86CE72276C5755F217D"));
    ck_assert(!md5_is_secret("md553f48b7c4b76a86ce72276c5755f217g"));
    ck_assert(!md5_is_secret("MD553f48b7c4b76a86ce72276c5755f217d"));
    ck_assert(!md5_is_secret(RFC_SECRET));
}
END_TEST

/* ---- SCRAM helpers ---- */

/* Runs the server side of the RFC exchange and returns the recovered pass-through keys. */
static struct scram_keys rfc_keys(void)
{
    struct scram_keys keys;
    struct scram_server *ss = scram_server_create(RFC_SECRET);
    char err[128];
    size_t len;
    char *msg;

    ck_assert_ptr_nonnull(ss);
    scram_server_set_nonce(ss, RFC_SERVER_NONCE);
    msg =
        scram_server_first(ss, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), &len, err, sizeof(err));
    ck_assert_ptr_nonnull(msg);
    free(msg);
    msg = scram_server_final(ss, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), &len, &keys, err,
                             sizeof(err));
    ck_assert_ptr_nonnull(msg);
    free(msg);
    scram_server_destroy(ss);
    ck_assert(keys.valid);
    return keys;
}

/* A server that has answered the RFC client-first-message and awaits the client-final. */
static struct scram_server *rfc_server_after_first(void)
{
    struct scram_server *ss = scram_server_create(RFC_SECRET);
    size_t len;
    char *msg;

    ck_assert_ptr_nonnull(ss);
    scram_server_set_nonce(ss, RFC_SERVER_NONCE);
    msg = scram_server_first(ss, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), &len, NULL, 0);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(msg, RFC_SERVER_FIRST);
    free(msg);
    return ss;
}

/* A client (password or keys) that has sent the RFC client-first-message. */
static struct scram_client *rfc_client_after_first(const struct scram_keys *keys)
{
    struct scram_client *sc = scram_client_create(keys ? NULL : RFC_PASSWORD, keys);
    size_t len;
    char *msg;

    ck_assert_ptr_nonnull(sc);
    scram_client_set_user(sc, "user");
    scram_client_set_nonce(sc, RFC_CLIENT_NONCE);
    msg = scram_client_first(sc, &len);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(msg, RFC_CLIENT_FIRST);
    ck_assert_uint_eq(len, strlen(RFC_CLIENT_FIRST));
    free(msg);
    return sc;
}

/* A client that has sent the RFC client-final-message and awaits the server-final. */
static struct scram_client *rfc_client_after_final(const struct scram_keys *keys)
{
    struct scram_client *sc = rfc_client_after_first(keys);
    size_t len;
    char *msg = scram_client_final(sc, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), &len, NULL, 0);

    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(msg, RFC_CLIENT_FINAL);
    free(msg);
    return sc;
}

/*
 * One full exchange between a client and a server object; true when the server accepts the
 * proof and the client accepts the server's signature. keys_out receives the server's
 * recovered keys when not NULL.
 */
static bool exchange(struct scram_client *sc, struct scram_server *ss, struct scram_keys *keys_out)
{
    char err[128] = "";
    size_t len;
    char *client_first, *server_first = NULL, *client_final = NULL, *server_final = NULL;
    bool ok = false;

    client_first = scram_client_first(sc, &len);
    ck_assert_ptr_nonnull(client_first);
    ck_assert_uint_eq(strlen(client_first), len);
    ck_assert(strncmp(client_first, "n,,n=,r=", 8) == 0);
    server_first = scram_server_first(ss, client_first, len, &len, err, sizeof(err));
    ck_assert_msg(server_first != NULL, "server-first: %s", err);
    client_final = scram_client_final(sc, server_first, len, &len, err, sizeof(err));
    if (client_final == NULL)
        goto out;
    server_final = scram_server_final(ss, client_final, len, &len, keys_out, err, sizeof(err));
    if (server_final == NULL)
        goto out;
    ok = scram_client_verify_final(sc, server_final, len);
    ck_assert(ok);
out:
    free(client_first);
    free(server_first);
    free(client_final);
    free(server_final);
    return ok;
}

/* ---- SCRAM known answers ---- */

START_TEST(test_scram_make_and_parse_secret)
{
    char *secret = scram_make_secret(RFC_PASSWORD, rfc_salt, sizeof(rfc_salt), 4096);
    uint8_t salt[64], stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    size_t salt_len = 0;
    int iterations = 0;

    ck_assert_ptr_nonnull(secret);
    ck_assert_str_eq(secret, RFC_SECRET);
    ck_assert(
        scram_parse_secret(secret, &iterations, salt, &salt_len, sizeof(salt), stored, server));
    ck_assert_int_eq(iterations, 4096);
    ck_assert_uint_eq(salt_len, sizeof(rfc_salt));
    ck_assert_mem_eq(salt, rfc_salt, sizeof(rfc_salt));
    ck_assert_mem_eq(server, rfc_server_key, SCRAM_KEY_LEN);
    free(secret);

    /* A NULL salt asks for a random one: two secrets of one password then differ. */
    secret = scram_make_secret(RFC_PASSWORD, NULL, 0, 4096);
    ck_assert_ptr_nonnull(secret);
    ck_assert(
        scram_parse_secret(secret, &iterations, salt, &salt_len, sizeof(salt), stored, server));
    ck_assert_uint_eq(salt_len, 16);
    ck_assert_str_ne(secret, RFC_SECRET);
    free(secret);

    ck_assert_ptr_null(scram_make_secret(NULL, rfc_salt, sizeof(rfc_salt), 4096));
    ck_assert_ptr_null(scram_make_secret(RFC_PASSWORD, rfc_salt, sizeof(rfc_salt), 0));
    ck_assert_ptr_null(scram_make_secret(RFC_PASSWORD, rfc_salt, 0, 4096));
}
END_TEST

START_TEST(test_scram_parse_secret_rejects_malformed)
{
    static const char *const bad[] = {
        "",
        "pencil",
        PG_SECRET,
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096",
        "SCRAM-SHA-256$4096:" RFC_SALT_B64,
        "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:",
        "SCRAM-SHA-256$0:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$-1:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$99999999999:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22Z=J0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=x",
        "SCRAM-SHA-256$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2d!=",
        "SCRAM-SHA-1$4096:" RFC_SALT_B64 "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    };
    uint8_t salt[64], stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    size_t salt_len;
    int iterations;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(
            !scram_parse_secret(bad[i], &iterations, salt, &salt_len, sizeof(salt), stored, server),
            "accepted %s", bad[i]);
        /* Whatever starts like a SCRAM secret must be one; it is never taken for a password. */
        if (strncmp(bad[i], "SCRAM-SHA-256$", 14) == 0)
            ck_assert_ptr_null(scram_server_create(bad[i]));
    }
    ck_assert(
        !scram_parse_secret(NULL, &iterations, salt, &salt_len, sizeof(salt), stored, server));
    /* A salt larger than the caller's buffer is refused, not overflowed. */
    ck_assert(!scram_parse_secret(RFC_SECRET, &iterations, salt, &salt_len, 15, stored, server));
}
END_TEST

START_TEST(test_scram_rfc7677_client)
{
    struct scram_client *sc = rfc_client_after_final(NULL);

    ck_assert(scram_client_verify_final(sc, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL)));
    scram_client_destroy(sc);

    /* The same exchange with a forged server signature fails at the last step. */
    sc = rfc_client_after_final(NULL);
    ck_assert(!scram_client_verify_final(
        sc, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl96G4=", strlen(RFC_SERVER_FINAL)));
    scram_client_destroy(sc);
}
END_TEST

START_TEST(test_scram_rfc7677_server)
{
    struct scram_server *ss = rfc_server_after_first();
    struct scram_keys keys;
    char err[128] = "";
    size_t len = 0;
    char *msg = scram_server_final(ss, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), &len, &keys, err,
                                   sizeof(err));

    ck_assert_msg(msg != NULL, "%s", err);
    ck_assert_str_eq(msg, RFC_SERVER_FINAL);
    ck_assert_uint_eq(len, strlen(RFC_SERVER_FINAL));
    ck_assert(keys.valid);
    ck_assert_mem_eq(keys.client_key, rfc_client_key, SCRAM_KEY_LEN);
    ck_assert_mem_eq(keys.server_key, rfc_server_key, SCRAM_KEY_LEN);
    ck_assert_uint_eq(keys.salt_len, sizeof(rfc_salt));
    ck_assert_mem_eq(keys.salt, rfc_salt, sizeof(rfc_salt));
    ck_assert_int_eq(keys.iterations, 4096);
    free(msg);
    /* The exchange is over: a replayed client-final-message is refused. */
    ck_assert_ptr_null(scram_server_final(ss, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), &len,
                                          &keys, err, sizeof(err)));
    ck_assert(!keys.valid);
    scram_server_destroy(ss);
}
END_TEST

START_TEST(test_scram_rfc7677_client_from_keys)
{
    struct scram_keys keys = rfc_keys();
    struct scram_client *sc = rfc_client_after_final(&keys);

    ck_assert(scram_client_verify_final(sc, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL)));
    scram_client_destroy(sc);
}
END_TEST

/* ---- SCRAM roles against each other ---- */

START_TEST(test_scram_roundtrip_secret)
{
    char *secret = scram_make_secret("correct horse", NULL, 0, 4096);
    struct scram_client *sc = scram_client_create("correct horse", NULL);
    struct scram_server *ss = scram_server_create(secret);

    ck_assert(exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    sc = scram_client_create("correct horsE", NULL);
    ss = scram_server_create(secret);
    ck_assert(!exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);
    free(secret);
}
END_TEST

START_TEST(test_scram_roundtrip_password)
{
    struct scram_client *sc = scram_client_create("s3cr=t,with,commas", NULL);
    struct scram_server *ss = scram_server_create("s3cr=t,with,commas");

    ck_assert(exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    sc = scram_client_create("other", NULL);
    ss = scram_server_create("s3cr=t,with,commas");
    ck_assert(!exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);
}
END_TEST

START_TEST(test_scram_wrong_password_reason)
{
    struct scram_client *sc = scram_client_create("wrong", NULL);
    struct scram_server *ss = scram_server_create(RFC_SECRET);
    char err[128] = "";
    size_t len, first_len, final_len;
    char *first = scram_client_first(sc, &first_len);
    char *server_first = scram_server_first(ss, first, first_len, &len, err, sizeof(err));
    char *final = scram_client_final(sc, server_first, len, &final_len, err, sizeof(err));

    ck_assert_ptr_nonnull(final);
    ck_assert_ptr_null(scram_server_final(ss, final, final_len, &len, NULL, err, sizeof(err)));
    ck_assert_str_eq(err, "SCRAM proof does not match: wrong password");
    free(first);
    free(server_first);
    free(final);
    scram_client_destroy(sc);
    scram_server_destroy(ss);
}
END_TEST

START_TEST(test_scram_pass_through)
{
    char *secret = scram_make_secret("pass", NULL, 0, 4096);
    char *other_salt = scram_make_secret("pass", NULL, 0, 4096);
    char *other_iterations = NULL;
    uint8_t salt[64], stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];
    size_t salt_len;
    int iterations;
    struct scram_keys keys;
    struct scram_client *sc = scram_client_create("pass", NULL);
    struct scram_server *ss = scram_server_create(secret);
    char err[128] = "";
    size_t len;
    char *first, *server_first;

    /* The login to myrmex recovers ClientKey and ServerKey. */
    ck_assert(exchange(sc, ss, &keys));
    ck_assert(keys.valid);
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    /* A client holding only those keys logs in to a server storing the same secret. */
    sc = scram_client_create(NULL, &keys);
    ck_assert_ptr_nonnull(sc);
    ss = scram_server_create(secret);
    ck_assert(exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    /* A password that is a stored secret is ignored in favour of the keys. */
    sc = scram_client_create(secret, &keys);
    ss = scram_server_create(secret);
    ck_assert(exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    /* Against a secret with another salt the client refuses to answer, and says why. */
    sc = scram_client_create(NULL, &keys);
    ss = scram_server_create(other_salt);
    first = scram_client_first(sc, &len);
    server_first = scram_server_first(ss, first, len, &len, err, sizeof(err));
    ck_assert_ptr_nonnull(server_first);
    ck_assert_ptr_null(scram_client_final(sc, server_first, len, &len, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "pass-through"));
    free(first);
    free(server_first);
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    /* The same salt with another iteration count is refused too. */
    ck_assert(
        scram_parse_secret(secret, &iterations, salt, &salt_len, sizeof(salt), stored, server));
    other_iterations = scram_make_secret("pass", salt, salt_len, 4097);
    sc = scram_client_create(NULL, &keys);
    ss = scram_server_create(other_iterations);
    ck_assert(!exchange(sc, ss, NULL));
    scram_client_destroy(sc);
    scram_server_destroy(ss);

    free(secret);
    free(other_salt);
    free(other_iterations);
}
END_TEST

START_TEST(test_scram_create_refuses_unusable)
{
    struct scram_keys keys = {0};

    ck_assert_ptr_null(scram_client_create(NULL, NULL));
    ck_assert_ptr_null(scram_client_create(NULL, &keys));
    ck_assert_ptr_null(scram_client_create(RFC_SECRET, NULL));
    ck_assert_ptr_null(scram_client_create(PG_SECRET, NULL));
    keys = rfc_keys();
    keys.salt_len = sizeof(keys.salt) + 1;
    ck_assert_ptr_null(scram_client_create(NULL, &keys));
    ck_assert_ptr_null(scram_server_create(NULL));
    ck_assert_ptr_null(scram_server_create(""));
    ck_assert_ptr_null(scram_server_create(PG_SECRET));
    ck_assert_ptr_null(scram_server_create("SCRAM-SHA-256$garbage"));
    scram_client_destroy(NULL);
    scram_server_destroy(NULL);
}
END_TEST

/* ---- malformed input, step by step ---- */

START_TEST(test_scram_server_first_malformed)
{
    static const struct {
        const char *msg;
        const char *err; /* expected reason, or NULL for any */
    } bad[] = {
        {"", NULL},
        {"n", NULL},
        {"n,", NULL},
        {"n,,", NULL},
        {"p=tls-server-end-point,,n=,r=abc", "channel binding not supported"},
        {"p,,n=,r=abc", "channel binding not supported"},
        {"x,,n=,r=abc", NULL},
        {"n,a=bob,n=,r=abc", "SCRAM authorization identity not supported"},
        {"nx,n=,r=abc", NULL},
        {"n,,n=", NULL},
        {"n,,n=,", NULL},
        {"n,,n=,r=", NULL},
        {"n,,n=,r=abc,", NULL},
        {"n,,n=,r=abc,,", NULL},
        {"n,,n=,r=abc,1=x", NULL},
        {"n,,r=abc", NULL},
        {"n,,n=,s=abc", NULL},
        {"n,,m=ext,n=,r=abc", "SCRAM mandatory extension not supported"},
        {"n,,n=,r=ab\x01", NULL},
        {"n,,n=,r=ab\x7f", NULL},
        {"n,,n=,r=ab cd", NULL},
    };
    char err[128];
    size_t len;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct scram_server *ss = scram_server_create(RFC_SECRET);

        err[0] = '\0';
        ck_assert_msg(
            scram_server_first(ss, bad[i].msg, strlen(bad[i].msg), &len, err, sizeof(err)) == NULL,
            "accepted %s", bad[i].msg);
        ck_assert_msg(err[0] != '\0', "no reason for %s", bad[i].msg);
        if (bad[i].err != NULL)
            ck_assert_str_eq(err, bad[i].err);
        /* After a failure the object refuses everything. */
        ck_assert_ptr_null(
            scram_server_first(ss, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), &len, NULL, 0));
        scram_server_destroy(ss);
    }

    /* A NUL byte inside the message, and a NULL pointer, are refused. */
    struct scram_server *ss = scram_server_create(RFC_SECRET);
    ck_assert_ptr_null(scram_server_first(ss, "n,,n=\0,r=abc", 12, &len, NULL, 0));
    scram_server_destroy(ss);
    ss = scram_server_create(RFC_SECRET);
    ck_assert_ptr_null(scram_server_first(ss, NULL, 10, &len, err, sizeof(err)));
    scram_server_destroy(ss);
    ck_assert_ptr_null(scram_server_first(NULL, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST), &len,
                                          err, sizeof(err)));
}
END_TEST

START_TEST(test_scram_server_first_accepts)
{
    /* "y" and extensions after the nonce are allowed; the user name is kept verbatim. */
    static const char *const good[] = {
        "y,,n=,r=abc",
        "n,,n=,r=abc,x=ext",
        "n,,n=someone=2Celse,r=abc",
    };
    size_t len;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct scram_server *ss = scram_server_create(RFC_SECRET);
        char *msg = scram_server_first(ss, good[i], strlen(good[i]), &len, NULL, 0);

        ck_assert_msg(msg != NULL, "refused %s", good[i]);
        ck_assert(strncmp(msg, "r=abc", 5) == 0);
        free(msg);
        scram_server_destroy(ss);
    }
}
END_TEST

START_TEST(test_scram_server_first_truncated)
{
    size_t full = strlen(RFC_CLIENT_FIRST);
    size_t nonce_start = strlen("n,,n=user,r=");
    size_t len;

    for (size_t n = 0; n < full; n++) {
        struct scram_server *ss = scram_server_create(RFC_SECRET);
        char *copy = malloc(n ? n : 1);
        char *msg;

        /* An exact-size heap copy lets ASan catch any read past the end. */
        memcpy(copy, RFC_CLIENT_FIRST, n);
        msg = scram_server_first(ss, copy, n, &len, NULL, 0);
        if (n <= nonce_start)
            ck_assert_msg(msg == NULL, "accepted a %zu-byte prefix", n);
        else
            ck_assert_msg(msg != NULL, "refused a %zu-byte prefix ending in the nonce", n);
        free(msg);
        free(copy);
        scram_server_destroy(ss);
    }
}
END_TEST

START_TEST(test_scram_server_final_malformed)
{
    static const struct {
        const char *msg;
        const char *err;
    } bad[] = {
        {"", NULL},
        {"c=biws", NULL},
        {"c=biws,", NULL},
        {"c=eSws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM channel binding does not match the gs2 header"},
        {"c=cCws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM channel binding does not match the gs2 header"},
        {"c=biws,r=" RFC_CLIENT_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1"
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM nonce mismatch"},
        {"c=biws,r=" RFC_CLIENT_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM nonce mismatch"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE "x"
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM nonce mismatch"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE, NULL},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",", NULL},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=", "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
         "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndQ==",
         "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=AAAA",
         "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7And.Q=",
         "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=y",
         NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",c=biws"
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         NULL},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=",
         "malformed SCRAM proof"},
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndWQ=",
         "SCRAM proof does not match: wrong password"},
        /* An extension is covered by the proof, so adding one invalidates it. */
        {"c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE
         ",x=y,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
         "SCRAM proof does not match: wrong password"},
    };
    struct scram_keys keys;
    char err[128];
    size_t len;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct scram_server *ss = rfc_server_after_first();

        err[0] = '\0';
        keys.valid = true;
        ck_assert_msg(scram_server_final(ss, bad[i].msg, strlen(bad[i].msg), &len, &keys, err,
                                         sizeof(err)) == NULL,
                      "accepted %s", bad[i].msg);
        ck_assert(!keys.valid);
        ck_assert_msg(err[0] != '\0', "no reason for %s", bad[i].msg);
        if (bad[i].err != NULL)
            ck_assert_str_eq(err, bad[i].err);
        /* A failed exchange cannot be retried with the right message. */
        ck_assert_ptr_null(scram_server_final(ss, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), &len,
                                              NULL, NULL, 0));
        scram_server_destroy(ss);
    }

    /* The client-final-message before the client-first-message is out of order. */
    struct scram_server *ss = scram_server_create(RFC_SECRET);
    ck_assert_ptr_null(scram_server_final(ss, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), &len,
                                          NULL, err, sizeof(err)));
    scram_server_destroy(ss);
}
END_TEST

START_TEST(test_scram_server_final_truncated_and_mutated)
{
    size_t full = strlen(RFC_CLIENT_FINAL);
    size_t len;

    for (size_t n = 0; n < full; n++) {
        struct scram_server *ss = rfc_server_after_first();
        char *copy = malloc(n ? n : 1);

        memcpy(copy, RFC_CLIENT_FINAL, n);
        ck_assert_msg(scram_server_final(ss, copy, n, &len, NULL, NULL, 0) == NULL,
                      "accepted a %zu-byte prefix", n);
        free(copy);
        scram_server_destroy(ss);
    }
    /* Every single-byte change anywhere in the message is refused. */
    for (size_t i = 0; i < full; i++) {
        struct scram_server *ss = rfc_server_after_first();
        char *copy = malloc(full);

        memcpy(copy, RFC_CLIENT_FINAL, full);
        copy[i] ^= 0x01;
        ck_assert_msg(scram_server_final(ss, copy, full, &len, NULL, NULL, 0) == NULL,
                      "accepted a change at byte %zu", i);
        free(copy);
        scram_server_destroy(ss);
    }
}
END_TEST

START_TEST(test_scram_client_final_malformed)
{
    static const struct {
        const char *msg;
        const char *err;
    } bad[] = {
        {"", NULL},
        {"r=", NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE, NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64, NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=", NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096,", NULL},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096,x=y", NULL},
        {"m=ext,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096",
         "SCRAM mandatory extension not supported"},
        {"s=" RFC_SALT_B64 ",r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",i=4096", NULL},
        {"r=" RFC_CLIENT_NONCE ",s=" RFC_SALT_B64 ",i=4096",
         "SCRAM server nonce does not extend the client nonce"},
        {"r=rOprNGfwEbeRWgbNEkqX" RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096",
         "SCRAM server nonce does not extend the client nonce"},
        {"r=rOpr,s=" RFC_SALT_B64 ",i=4096", "SCRAM server nonce does not extend the client nonce"},
        {"r=" RFC_CLIENT_NONCE "ab\x01,s=" RFC_SALT_B64 ",i=4096",
         "SCRAM server nonce does not extend the client nonce"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=,i=4096", "invalid SCRAM salt"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
         "invalid SCRAM salt"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6g===,i=4096",
         "invalid SCRAM salt"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=W22ZaJ0S NY7soEsUEjb6gQ=,i=4096",
         "invalid SCRAM salt"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=0",
         "invalid SCRAM iteration count"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=-1",
         "invalid SCRAM iteration count"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=+4096",
         "invalid SCRAM iteration count"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=2147483648",
         "invalid SCRAM iteration count"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=99999999999999999999",
         "invalid SCRAM iteration count"},
        {"r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=40x6",
         "invalid SCRAM iteration count"},
        {"e=other-error", NULL},
    };
    char err[128];
    size_t len;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct scram_client *sc = rfc_client_after_first(NULL);

        err[0] = '\0';
        ck_assert_msg(
            scram_client_final(sc, bad[i].msg, strlen(bad[i].msg), &len, err, sizeof(err)) == NULL,
            "accepted %s", bad[i].msg);
        ck_assert_msg(err[0] != '\0', "no reason for %s", bad[i].msg);
        if (bad[i].err != NULL)
            ck_assert_str_eq(err, bad[i].err);
        ck_assert(!scram_client_verify_final(sc, RFC_SERVER_FINAL, strlen(RFC_SERVER_FINAL)));
        scram_client_destroy(sc);
    }

    /* Out of order: the server-first-message before the client-first-message. */
    struct scram_client *sc = scram_client_create(RFC_PASSWORD, NULL);
    ck_assert_ptr_null(
        scram_client_final(sc, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), &len, err, sizeof(err)));
    ck_assert_ptr_null(scram_client_first(sc, &len));
    scram_client_destroy(sc);
    ck_assert_ptr_null(scram_client_final(NULL, RFC_SERVER_FIRST, strlen(RFC_SERVER_FIRST), &len,
                                          err, sizeof(err)));
    /* A NUL inside the message is refused. */
    sc = rfc_client_after_first(NULL);
    ck_assert_ptr_null(scram_client_final(sc, "r=" RFC_CLIENT_NONCE "\0x,s=" RFC_SALT_B64 ",i=1",
                                          strlen("r=" RFC_CLIENT_NONCE) + 22, &len, NULL, 0));
    scram_client_destroy(sc);
}
END_TEST

START_TEST(test_scram_client_final_truncated)
{
    struct scram_keys keys = rfc_keys();
    size_t full = strlen(RFC_SERVER_FIRST);
    size_t len;

    /*
     * A prefix is refused while it ends before the first digit of the iteration count; after
     * that it is a valid message with fewer iterations, which pass-through keys refuse.
     */
    for (size_t n = 0; n < full; n++) {
        struct scram_client *sc = rfc_client_after_first(&keys);
        char *copy = malloc(n ? n : 1);
        char err[128] = "";

        memcpy(copy, RFC_SERVER_FIRST, n);
        ck_assert_msg(scram_client_final(sc, copy, n, &len, err, sizeof(err)) == NULL,
                      "accepted a %zu-byte prefix", n);
        if (n >= full - strlen("096"))
            ck_assert_ptr_nonnull(strstr(err, "pass-through"));
        free(copy);
        scram_client_destroy(sc);
    }
}
END_TEST

START_TEST(test_scram_client_verify_final_malformed)
{
    static const char *const bad[] = {
        "",
        "v=",
        "v",
        "e=invalid-proof",
        "e=other-error",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,x=y",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=AAAA",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95A==",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl9.G4=",
        "x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    };
    size_t full = strlen(RFC_SERVER_FINAL);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct scram_client *sc = rfc_client_after_final(NULL);

        ck_assert_msg(!scram_client_verify_final(sc, bad[i], strlen(bad[i])), "accepted %s",
                      bad[i]);
        /* One answer only: the right signature after a wrong one is refused. */
        ck_assert(!scram_client_verify_final(sc, RFC_SERVER_FINAL, full));
        scram_client_destroy(sc);
    }
    for (size_t n = 0; n < full; n++) {
        struct scram_client *sc = rfc_client_after_final(NULL);
        char *copy = malloc(n ? n : 1);

        memcpy(copy, RFC_SERVER_FINAL, n);
        ck_assert_msg(!scram_client_verify_final(sc, copy, n), "accepted a %zu-byte prefix", n);
        free(copy);
        scram_client_destroy(sc);
    }
    /* Verifying before the exchange reached that step is refused. */
    struct scram_client *sc = rfc_client_after_first(NULL);
    ck_assert(!scram_client_verify_final(sc, RFC_SERVER_FINAL, full));
    scram_client_destroy(sc);
    ck_assert(!scram_client_verify_final(NULL, RFC_SERVER_FINAL, full));
}
END_TEST

/*
 * Random bytes and random mutations of the RFC messages at every step: nothing may crash or
 * read out of bounds (run under ASan), and random input never authenticates.
 */
START_TEST(test_scram_random_input)
{
    static const char *const alphabet = "nypcrsivem=,abc0123456789+/=\x01\x80 ";
    static const char *const seeds[] = {RFC_CLIENT_FIRST, RFC_SERVER_FIRST, RFC_CLIENT_FINAL,
                                        RFC_SERVER_FINAL};
    struct scram_keys keys = rfc_keys();
    unsigned int seed = 12345;
    char buf[160];
    size_t len;

    for (int round = 0; round < 4000; round++) {
        int step = round % 4;
        size_t n;
        char *copy;
        char *msg;

        if (round % 8 < 4) {
            n = (size_t)rand_r(&seed) % sizeof(buf);
            for (size_t i = 0; i < n; i++)
                buf[i] = alphabet[rand_r(&seed) % (int)strlen(alphabet)];
        } else {
            n = strlen(seeds[step]);
            memcpy(buf, seeds[step], n);
            for (int k = 1 + rand_r(&seed) % 3; k > 0; k--)
                buf[rand_r(&seed) % (int)n] = (char)(rand_r(&seed) % 256);
        }
        copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        if (step == 0) {
            struct scram_server *ss = scram_server_create(RFC_SECRET);
            msg = scram_server_first(ss, copy, n, &len, NULL, 0);
            free(msg);
            scram_server_destroy(ss);
        } else if (step == 1) {
            struct scram_client *sc = rfc_client_after_first(&keys);
            msg = scram_client_final(sc, copy, n, &len, NULL, 0);
            free(msg);
            scram_client_destroy(sc);
        } else if (step == 2) {
            struct scram_server *ss = rfc_server_after_first();
            bool same = n == strlen(RFC_CLIENT_FINAL) && memcmp(copy, RFC_CLIENT_FINAL, n) == 0;
            msg = scram_server_final(ss, copy, n, &len, NULL, NULL, 0);
            ck_assert(msg == NULL || same);
            free(msg);
            scram_server_destroy(ss);
        } else {
            struct scram_client *sc = rfc_client_after_final(&keys);
            bool same = n == strlen(RFC_SERVER_FINAL) && memcmp(copy, RFC_SERVER_FINAL, n) == 0;
            ck_assert(!scram_client_verify_final(sc, copy, n) || same);
            scram_client_destroy(sc);
        }
        free(copy);
    }
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *md5 = tcase_create("md5");
    TCase *known = tcase_create("scram_known_answers");
    TCase *roles = tcase_create("scram_roles");
    TCase *malformed = tcase_create("scram_malformed");

    tcase_add_test(md5, test_md5_secret_known_value);
    tcase_add_test(md5, test_md5_response_known_value);
    tcase_add_test(md5, test_md5_verify);
    tcase_add_test(md5, test_md5_is_secret);
    suite_add_tcase(s, md5);

    tcase_set_timeout(known, 60);
    tcase_add_test(known, test_scram_make_and_parse_secret);
    tcase_add_test(known, test_scram_parse_secret_rejects_malformed);
    tcase_add_test(known, test_scram_rfc7677_client);
    tcase_add_test(known, test_scram_rfc7677_server);
    tcase_add_test(known, test_scram_rfc7677_client_from_keys);
    suite_add_tcase(s, known);

    tcase_set_timeout(roles, 60);
    tcase_add_test(roles, test_scram_roundtrip_secret);
    tcase_add_test(roles, test_scram_roundtrip_password);
    tcase_add_test(roles, test_scram_wrong_password_reason);
    tcase_add_test(roles, test_scram_pass_through);
    tcase_add_test(roles, test_scram_create_refuses_unusable);
    suite_add_tcase(s, roles);

    tcase_set_timeout(malformed, 120);
    tcase_add_test(malformed, test_scram_server_first_malformed);
    tcase_add_test(malformed, test_scram_server_first_accepts);
    tcase_add_test(malformed, test_scram_server_first_truncated);
    tcase_add_test(malformed, test_scram_server_final_malformed);
    tcase_add_test(malformed, test_scram_server_final_truncated_and_mutated);
    tcase_add_test(malformed, test_scram_client_final_malformed);
    tcase_add_test(malformed, test_scram_client_final_truncated);
    tcase_add_test(malformed, test_scram_client_verify_final_malformed);
    tcase_add_test(malformed, test_scram_random_input);
    suite_add_tcase(s, malformed);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(auth_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
