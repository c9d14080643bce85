/*
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, in both roles, and the stored
 * secret format. It owns message parsing and the key arithmetic; it does no I/O and knows
 * nothing of the SASL framing around the messages, which the login state machines own.
 *
 * Client role, one object per login:
 *
 *     INIT --scram_client_first()--> FIRST_SENT --scram_client_final()--> FINAL_SENT
 *     FINAL_SENT --scram_client_verify_final()--> DONE
 *
 * Server role, one object per login:
 *
 *     INIT --scram_server_first()--> FIRST_SENT --scram_server_final()--> DONE
 *
 * Any failure, or a call out of order, moves the object to FAILED, where every further call
 * fails: a half-finished exchange is never resumed. In FIRST_SENT the object holds the exact
 * client-first-message-bare (and, for the server, the server-first-message) because the
 * AuthMessage is built from the bytes exchanged, not from a re-encoding of them.
 *
 * Every message comes from a peer: it is bounded (SCRAM_MESSAGE_MAX), must hold no NUL byte,
 * and each attribute is checked before use. Proofs and signatures are compared with
 * CRYPTO_memcmp(). Channel binding is never offered, so the gs2 header is "n,," or "y,,".
 *
 * Passwords are hashed as raw bytes, without SASLprep. SASLprep leaves printable ASCII
 * unchanged and PostgreSQL falls back to the raw bytes when it rejects a password (ASCII control
 * characters, invalid UTF-8), so only non-ASCII passwords can be derived differently.
 */
#include "auth/scram.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth/md5.h"

#define SCRAM_SECRET_PREFIX      "SCRAM-SHA-256$"
#define SCRAM_DEFAULT_ITERATIONS 4096
#define SCRAM_DEFAULT_SALT_LEN   16
#define SCRAM_NONCE_RAW_LEN      18
#define SCRAM_SALT_MAX           256
#define SCRAM_MESSAGE_MAX        65536
#define SCRAM_KEYS_SALT_CAP      (sizeof(((struct scram_keys *)0)->salt))
/* Length of the padded base64 of n bytes, without the NUL. */
#define SCRAM_B64_LEN(n) (4 * (((n) + 2) / 3))

enum scram_client_state {
    SCRAM_CLIENT_INIT,
    SCRAM_CLIENT_FIRST_SENT,
    SCRAM_CLIENT_FINAL_SENT,
    SCRAM_CLIENT_DONE,
    SCRAM_CLIENT_FAILED,
};

enum scram_server_state {
    SCRAM_SERVER_INIT,
    SCRAM_SERVER_FIRST_SENT,
    SCRAM_SERVER_DONE,
    SCRAM_SERVER_FAILED,
};

struct scram_client {
    enum scram_client_state state;
    char *password;         /* owned; NULL when logging in with pass-through keys */
    struct scram_keys keys; /* pass-through keys, used when password is NULL */
    char *user;             /* owned; the "n=" value, NULL for PostgreSQL's empty one */
    char *nonce;            /* owned; the client nonce, made by scram_client_first() */
    char *first_bare;       /* owned; client-first-message-bare as sent */
    size_t first_bare_len;
    uint8_t server_signature[SCRAM_KEY_LEN]; /* expected in server-final-message */
};

struct scram_server {
    enum scram_server_state state;
    int iterations;
    uint8_t salt[SCRAM_SALT_MAX];
    size_t salt_len;
    uint8_t stored_key[SCRAM_KEY_LEN];
    uint8_t server_key[SCRAM_KEY_LEN];
    char *nonce;      /* owned; the server's part of the nonce */
    char cbind[5];    /* expected "c=" value: base64 of the gs2 header */
    char *first_bare; /* owned; client-first-message-bare as received */
    size_t first_bare_len;
    char *server_first; /* owned; server-first-message as sent */
    size_t server_first_len;
    size_t nonce_len; /* length of the combined nonce, which starts at server_first + 2 */
};

/* A growing string with a sticky failure flag, checked once by scram_buf_finish(). */
struct scram_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

/* A read position inside a peer message that is not NUL-terminated. */
struct scram_cursor {
    const char *p;
    const char *end;
};

static void scram_set_error(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

static void scram_buf_add(struct scram_buf *b, const void *p, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > SCRAM_MESSAGE_MAX * 4) {
        b->failed = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        char *data;

        while (cap < b->len + n + 1)
            cap *= 2;
        data = realloc(b->data, cap);
        if (data == NULL) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void scram_buf_str(struct scram_buf *b, const char *s)
{
    scram_buf_add(b, s, strlen(s));
}

/*
 * Returns the NUL-terminated string, owned by the caller, or NULL if any step failed. The
 * builder gives up its buffer either way.
 */
static char *scram_buf_finish(struct scram_buf *b, size_t *len)
{
    char *data = b->data;

    b->data = NULL;
    if (data == NULL && !b->failed)
        data = calloc(1, 1);
    if (b->failed || data == NULL) {
        free(data);
        return NULL;
    }
    data[b->len] = '\0';
    if (len != NULL)
        *len = b->len;
    return data;
}

/* Discards a builder that holds secret material, wiping it first. */
static void scram_buf_wipe(struct scram_buf *b)
{
    if (b->data != NULL)
        OPENSSL_cleanse(b->data, b->cap);
    free(b->data);
    b->data = NULL;
}

static const char scram_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Writes the padded base64 of in and a NUL into out, which holds encoded_len(n) + 1 bytes. */
static void scram_b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        uint32_t acc = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            acc |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            acc |= in[i + 2];
        out[o++] = scram_b64_alphabet[(acc >> 18) & 0x3f];
        out[o++] = scram_b64_alphabet[(acc >> 12) & 0x3f];
        out[o++] = i + 1 < n ? scram_b64_alphabet[(acc >> 6) & 0x3f] : '=';
        out[o++] = i + 2 < n ? scram_b64_alphabet[acc & 0x3f] : '=';
    }
    out[o] = '\0';
}

static void scram_buf_b64(struct scram_buf *b, const uint8_t *in, size_t n)
{
    char tmp[SCRAM_B64_LEN(SCRAM_SALT_MAX) + 1];

    if (n > SCRAM_SALT_MAX) {
        b->failed = true;
        return;
    }
    scram_b64_encode(in, n, tmp);
    scram_buf_str(b, tmp);
}

static int scram_b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Strict base64 decoding of in[0..n): a non-empty multiple of four characters from the
 * standard alphabet, '=' only as the last one or two, zero bits under the padding. False when
 * malformed or when the result would exceed cap bytes.
 */
static bool scram_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t pad = 0;
    size_t decoded_len;
    size_t o = 0;

    if (n == 0 || n % 4 != 0)
        return false;
    if (in[n - 1] == '=') {
        pad = 1;
        if (in[n - 2] == '=')
            pad = 2;
    }
    decoded_len = n / 4 * 3 - pad;
    if (decoded_len > cap)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t acc = 0;

        for (size_t j = 0; j < 4; j++) {
            int v = 0;

            if (i + j < n - pad) {
                v = scram_b64_value(in[i + j]);
                if (v < 0)
                    return false;
            }
            acc = acc << 6 | (uint32_t)v;
        }
        /* The bits under the padding must be zero, so each value has one encoding. */
        if (i + 4 == n && pad > 0 && (acc & ((1u << (8 * pad)) - 1)) != 0)
            return false;
        for (int shift = 16; shift >= 0 && o < decoded_len; shift -= 8)
            out[o++] = (uint8_t)(acc >> shift);
    }
    *out_len = decoded_len;
    return true;
}

static bool scram_hmac(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t out[SCRAM_KEY_LEN])
{
    unsigned int out_len = 0;

    if (key_len > INT_MAX)
        return false;
    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) == NULL)
        return false;
    return out_len == SCRAM_KEY_LEN;
}

static bool scram_sha256(const uint8_t *data, size_t len, uint8_t out[SCRAM_KEY_LEN])
{
    unsigned int out_len = 0;

    if (EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) != 1)
        return false;
    return out_len == SCRAM_KEY_LEN;
}

/* ClientKey and ServerKey from a password: HMAC(SaltedPassword, "Client Key"/"Server Key"). */
static bool scram_derive_keys(const char *password, const uint8_t *salt, size_t salt_len,
                              int iterations, uint8_t client_key[SCRAM_KEY_LEN],
                              uint8_t server_key[SCRAM_KEY_LEN])
{
    uint8_t salted[SCRAM_KEY_LEN];
    size_t password_len = strlen(password);
    bool ok;

    if (password_len > INT_MAX || salt_len > INT_MAX || iterations < 1)
        return false;
    ok = PKCS5_PBKDF2_HMAC(password, (int)password_len, salt, (int)salt_len, iterations,
                           EVP_sha256(), SCRAM_KEY_LEN, salted) == 1 &&
         scram_hmac(salted, sizeof(salted), "Client Key", 10, client_key) &&
         scram_hmac(salted, sizeof(salted), "Server Key", 10, server_key);
    OPENSSL_cleanse(salted, sizeof(salted));
    return ok;
}

/* A fresh random nonce: 18 random bytes in base64, as PostgreSQL makes them. */
static char *scram_make_nonce(void)
{
    uint8_t raw[SCRAM_NONCE_RAW_LEN];
    char *nonce = malloc(SCRAM_B64_LEN(SCRAM_NONCE_RAW_LEN) + 1);

    if (nonce == NULL)
        return NULL;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        free(nonce);
        return NULL;
    }
    scram_b64_encode(raw, sizeof(raw), nonce);
    return nonce;
}

/* A peer message is acceptable for parsing when bounded and free of NUL bytes. */
static bool scram_message_ok(const char *data, size_t len)
{
    return data != NULL && len > 0 && len <= SCRAM_MESSAGE_MAX && memchr(data, '\0', len) == NULL;
}

/* RFC 5802 printable characters, without ',': the nonce alphabet. */
static bool scram_nonce_ok(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
            return false;
    return true;
}

/* Positive decimal that fits an int, without sign or spaces. */
static bool scram_parse_int(const char *s, size_t len, int *out)
{
    long long v = 0;

    if (len == 0 || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

static bool scram_cursor_is(const struct scram_cursor *c, char attr)
{
    return c->end - c->p >= 2 && c->p[0] == attr && c->p[1] == '=';
}

/* Reads "<attr>=<value>" up to the next ',' or the end; the ',' is left for scram_cursor_next. */
static bool scram_cursor_attr(struct scram_cursor *c, char attr, const char **value,
                              size_t *value_len)
{
    const char *v;
    const char *comma;

    if (!scram_cursor_is(c, attr))
        return false;
    v = c->p + 2;
    comma = memchr(v, ',', (size_t)(c->end - v));
    c->p = comma != NULL ? comma : c->end;
    *value = v;
    *value_len = (size_t)(c->p - v);
    return true;
}

/* Reads any extension attribute: a letter, '=', then a value up to the next ',' or the end. */
static bool scram_cursor_any_attr(struct scram_cursor *c)
{
    const char *value;
    size_t value_len;
    char attr;

    if (c->end - c->p < 2)
        return false;
    attr = c->p[0];
    if (!((attr >= 'a' && attr <= 'z') || (attr >= 'A' && attr <= 'Z')))
        return false;
    return scram_cursor_attr(c, attr, &value, &value_len);
}

/* Consumes the ',' before the next attribute; false at the end of the message. */
static bool scram_cursor_next(struct scram_cursor *c)
{
    if (c->p >= c->end || c->p[0] != ',')
        return false;
    c->p++;
    return true;
}

static bool scram_is_secret(const char *s)
{
    return scram_parse_secret(s, NULL, NULL, NULL, 0, NULL, NULL);
}

bool scram_parse_secret(const char *s, int *iterations, uint8_t *salt, size_t *salt_len,
                        size_t salt_cap, uint8_t stored_key[SCRAM_KEY_LEN],
                        uint8_t server_key[SCRAM_KEY_LEN])
{
    uint8_t salt_tmp[SCRAM_SALT_MAX];
    uint8_t stored_tmp[SCRAM_KEY_LEN];
    uint8_t server_tmp[SCRAM_KEY_LEN];
    const char *iter_s, *salt_s, *stored_s, *server_s;
    const char *colon1, *dollar, *colon2;
    size_t n, key_len;
    int iter;
    bool ok = false;

    if (s == NULL || strncmp(s, SCRAM_SECRET_PREFIX, strlen(SCRAM_SECRET_PREFIX)) != 0)
        return false;
    if (salt == NULL) {
        salt = salt_tmp;
        salt_cap = sizeof(salt_tmp);
    }
    iter_s = s + strlen(SCRAM_SECRET_PREFIX);
    colon1 = strchr(iter_s, ':');
    if (colon1 == NULL)
        return false;
    salt_s = colon1 + 1;
    dollar = strchr(salt_s, '$');
    if (dollar == NULL)
        return false;
    stored_s = dollar + 1;
    colon2 = strchr(stored_s, ':');
    if (colon2 == NULL)
        return false;
    server_s = colon2 + 1;

    if (scram_parse_int(iter_s, (size_t)(colon1 - iter_s), &iter) &&
        scram_b64_decode(salt_s, (size_t)(dollar - salt_s), salt, salt_cap, &n) &&
        scram_b64_decode(stored_s, (size_t)(colon2 - stored_s), stored_tmp, SCRAM_KEY_LEN,
                         &key_len) &&
        (size_t)(colon2 - stored_s) == SCRAM_B64_LEN(SCRAM_KEY_LEN) &&
        strlen(server_s) == SCRAM_B64_LEN(SCRAM_KEY_LEN) &&
        scram_b64_decode(server_s, strlen(server_s), server_tmp, SCRAM_KEY_LEN, &key_len)) {
        ok = true;
        if (iterations != NULL)
            *iterations = iter;
        if (salt_len != NULL)
            *salt_len = n;
        if (stored_key != NULL)
            memcpy(stored_key, stored_tmp, SCRAM_KEY_LEN);
        if (server_key != NULL)
            memcpy(server_key, server_tmp, SCRAM_KEY_LEN);
    }
    OPENSSL_cleanse(stored_tmp, sizeof(stored_tmp));
    OPENSSL_cleanse(server_tmp, sizeof(server_tmp));
    return ok;
}

/*
 * Returns a malloc'd secret owned by the caller, or NULL on bad arguments or allocation
 * failure. A NULL salt asks for 16 random bytes, as CREATE ROLE ... PASSWORD would use.
 */
char *scram_make_secret(const char *password, const uint8_t *salt, size_t salt_len, int iterations)
{
    uint8_t random_salt[SCRAM_DEFAULT_SALT_LEN];
    uint8_t client_key[SCRAM_KEY_LEN];
    uint8_t stored_key[SCRAM_KEY_LEN];
    uint8_t server_key[SCRAM_KEY_LEN];
    struct scram_buf b = {0};
    char iter_s[16];
    bool ok;

    if (password == NULL || iterations < 1)
        return NULL;
    if (salt == NULL) {
        if (RAND_bytes(random_salt, sizeof(random_salt)) != 1)
            return NULL;
        salt = random_salt;
        salt_len = sizeof(random_salt);
    }
    if (salt_len == 0 || salt_len > SCRAM_SALT_MAX)
        return NULL;
    ok = scram_derive_keys(password, salt, salt_len, iterations, client_key, server_key) &&
         scram_sha256(client_key, sizeof(client_key), stored_key);
    OPENSSL_cleanse(client_key, sizeof(client_key));
    if (ok) {
        snprintf(iter_s, sizeof(iter_s), "%d", iterations);
        scram_buf_str(&b, SCRAM_SECRET_PREFIX);
        scram_buf_str(&b, iter_s);
        scram_buf_str(&b, ":");
        scram_buf_b64(&b, salt, salt_len);
        scram_buf_str(&b, "$");
        scram_buf_b64(&b, stored_key, sizeof(stored_key));
        scram_buf_str(&b, ":");
        scram_buf_b64(&b, server_key, sizeof(server_key));
    }
    OPENSSL_cleanse(server_key, sizeof(server_key));
    return ok ? scram_buf_finish(&b, NULL) : NULL;
}

/* ---- client role ---- */

/*
 * A password that is itself a stored secret (SCRAM or md5) cannot produce a SCRAM proof, so it
 * is ignored and the keys, if valid, are used instead. The caller keeps its arguments.
 */
struct scram_client *scram_client_create(const char *password, const struct scram_keys *keys)
{
    bool use_password = password != NULL && !scram_is_secret(password) && !md5_is_secret(password);
    bool use_keys = keys != NULL && keys->valid && keys->salt_len > 0 &&
                    keys->salt_len <= SCRAM_KEYS_SALT_CAP && keys->iterations > 0;
    struct scram_client *sc;

    if (!use_password && !use_keys)
        return NULL;
    sc = calloc(1, sizeof(*sc));
    if (sc == NULL)
        return NULL;
    sc->state = SCRAM_CLIENT_INIT;
    if (use_password) {
        sc->password = strdup(password);
        if (sc->password == NULL) {
            free(sc);
            return NULL;
        }
    } else {
        sc->keys = *keys;
    }
    return sc;
}

void scram_client_destroy(struct scram_client *sc)
{
    if (sc == NULL)
        return;
    if (sc->password != NULL) {
        OPENSSL_cleanse(sc->password, strlen(sc->password));
        free(sc->password);
    }
    free(sc->user);
    free(sc->nonce);
    free(sc->first_bare);
    OPENSSL_cleanse(sc, sizeof(*sc));
    free(sc);
}

void scram_client_set_nonce(struct scram_client *sc, const char *nonce)
{
    char *copy = sc != NULL && nonce != NULL ? strdup(nonce) : NULL;

    if (copy == NULL)
        return;
    free(sc->nonce);
    sc->nonce = copy;
}

void scram_client_set_user(struct scram_client *sc, const char *user)
{
    char *copy = sc != NULL && user != NULL ? strdup(user) : NULL;

    if (copy == NULL)
        return;
    free(sc->user);
    sc->user = copy;
}

/* Returns the client-first-message, malloc'd and owned by the caller; NULL out of order. */
char *scram_client_first(struct scram_client *sc, size_t *len)
{
    struct scram_buf b = {0};
    char *msg;

    if (sc == NULL || sc->state != SCRAM_CLIENT_INIT)
        return NULL;
    sc->state = SCRAM_CLIENT_FAILED;
    if (sc->nonce == NULL) {
        sc->nonce = scram_make_nonce();
        if (sc->nonce == NULL)
            return NULL;
    }
    /* RFC 5802 saslname: ',' and '=' are escaped as "=2C" and "=3D". */
    scram_buf_str(&b, "n=");
    for (const char *u = sc->user ? sc->user : ""; *u != '\0'; u++) {
        if (*u == ',')
            scram_buf_str(&b, "=2C");
        else if (*u == '=')
            scram_buf_str(&b, "=3D");
        else
            scram_buf_add(&b, u, 1);
    }
    scram_buf_str(&b, ",r=");
    scram_buf_str(&b, sc->nonce);
    sc->first_bare = scram_buf_finish(&b, &sc->first_bare_len);
    if (sc->first_bare == NULL)
        return NULL;

    b = (struct scram_buf){0};
    scram_buf_str(&b, "n,,");
    scram_buf_add(&b, sc->first_bare, sc->first_bare_len);
    msg = scram_buf_finish(&b, len);
    if (msg != NULL)
        sc->state = SCRAM_CLIENT_FIRST_SENT;
    return msg;
}

/*
 * Returns the client-final-message, malloc'd and owned by the caller. The server-first-message
 * must be exactly "r=<nonce>,s=<salt>,i=<iterations>": PostgreSQL sends no extensions, and the
 * reserved "m=" is refused as RFC 5802 requires.
 */
char *scram_client_final(struct scram_client *sc, const char *data, size_t len, size_t *out_len,
                         char *err, size_t errlen)
{
    struct scram_cursor c;
    const char *nonce, *salt_b64, *iter_s;
    size_t nonce_len, salt_b64_len, iter_len, salt_len, client_nonce_len;
    uint8_t salt[SCRAM_SALT_MAX];
    uint8_t client_key[SCRAM_KEY_LEN];
    uint8_t server_key[SCRAM_KEY_LEN];
    uint8_t stored_key[SCRAM_KEY_LEN];
    uint8_t signature[SCRAM_KEY_LEN];
    struct scram_buf am = {0};
    struct scram_buf out = {0};
    int iterations;
    char *msg = NULL;

    if (sc == NULL || sc->state != SCRAM_CLIENT_FIRST_SENT) {
        scram_set_error(err, errlen, "unexpected SCRAM server-first-message");
        if (sc != NULL)
            sc->state = SCRAM_CLIENT_FAILED;
        return NULL;
    }
    sc->state = SCRAM_CLIENT_FAILED;
    if (!scram_message_ok(data, len)) {
        scram_set_error(err, errlen, "malformed SCRAM server-first-message");
        return NULL;
    }
    c = (struct scram_cursor){data, data + len};
    if (scram_cursor_is(&c, 'm')) {
        scram_set_error(err, errlen, "SCRAM mandatory extension not supported");
        return NULL;
    }
    if (!scram_cursor_attr(&c, 'r', &nonce, &nonce_len) || !scram_cursor_next(&c) ||
        !scram_cursor_attr(&c, 's', &salt_b64, &salt_b64_len) || !scram_cursor_next(&c) ||
        !scram_cursor_attr(&c, 'i', &iter_s, &iter_len) || c.p != c.end) {
        scram_set_error(err, errlen, "malformed SCRAM server-first-message");
        return NULL;
    }
    client_nonce_len = strlen(sc->nonce);
    if (!scram_nonce_ok(nonce, nonce_len) || nonce_len <= client_nonce_len ||
        memcmp(nonce, sc->nonce, client_nonce_len) != 0) {
        scram_set_error(err, errlen, "SCRAM server nonce does not extend the client nonce");
        return NULL;
    }
    if (!scram_b64_decode(salt_b64, salt_b64_len, salt, sizeof(salt), &salt_len)) {
        scram_set_error(err, errlen, "invalid SCRAM salt");
        return NULL;
    }
    if (!scram_parse_int(iter_s, iter_len, &iterations)) {
        scram_set_error(err, errlen, "invalid SCRAM iteration count");
        return NULL;
    }

    if (sc->password != NULL) {
        if (!scram_derive_keys(sc->password, salt, salt_len, iterations, client_key, server_key)) {
            scram_set_error(err, errlen, "SCRAM key derivation failed");
            goto fail;
        }
    } else {
        if (salt_len != sc->keys.salt_len || memcmp(salt, sc->keys.salt, salt_len) != 0 ||
            iterations != sc->keys.iterations) {
            scram_set_error(err, errlen,
                            "pass-through SCRAM keys do not match the server's salt or "
                            "iteration count");
            goto fail;
        }
        memcpy(client_key, sc->keys.client_key, SCRAM_KEY_LEN);
        memcpy(server_key, sc->keys.server_key, SCRAM_KEY_LEN);
    }

    /* client-final-message-without-proof, then AuthMessage from the exact bytes exchanged. */
    scram_buf_str(&out, "c=biws,r=");
    scram_buf_add(&out, nonce, nonce_len);
    scram_buf_add(&am, sc->first_bare, sc->first_bare_len);
    scram_buf_str(&am, ",");
    scram_buf_add(&am, data, len);
    scram_buf_str(&am, ",c=biws,r=");
    scram_buf_add(&am, nonce, nonce_len);
    if (out.failed || am.failed || !scram_sha256(client_key, SCRAM_KEY_LEN, stored_key) ||
        !scram_hmac(stored_key, SCRAM_KEY_LEN, am.data, am.len, signature) ||
        !scram_hmac(server_key, SCRAM_KEY_LEN, am.data, am.len, sc->server_signature)) {
        scram_set_error(err, errlen, "out of memory or digest failure in SCRAM");
        goto fail;
    }
    for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
        signature[i] ^= client_key[i];
    scram_buf_str(&out, ",p=");
    scram_buf_b64(&out, signature, SCRAM_KEY_LEN);
    msg = scram_buf_finish(&out, out_len);
    if (msg == NULL)
        scram_set_error(err, errlen, "out of memory in SCRAM");
    else
        sc->state = SCRAM_CLIENT_FINAL_SENT;
fail:
    scram_buf_wipe(&am);
    free(out.data);
    OPENSSL_cleanse(client_key, sizeof(client_key));
    OPENSSL_cleanse(server_key, sizeof(server_key));
    OPENSSL_cleanse(stored_key, sizeof(stored_key));
    OPENSSL_cleanse(signature, sizeof(signature));
    return msg;
}

/* True only for "v=<base64 of the expected ServerSignature>"; "e=<error>" is a failure. */
bool scram_client_verify_final(struct scram_client *sc, const char *data, size_t len)
{
    struct scram_cursor c;
    uint8_t signature[SCRAM_KEY_LEN];
    const char *v;
    size_t v_len, sig_len;

    if (sc == NULL)
        return false;
    if (sc->state != SCRAM_CLIENT_FINAL_SENT) {
        sc->state = SCRAM_CLIENT_FAILED;
        return false;
    }
    sc->state = SCRAM_CLIENT_FAILED;
    if (!scram_message_ok(data, len))
        return false;
    c = (struct scram_cursor){data, data + len};
    if (!scram_cursor_attr(&c, 'v', &v, &v_len) || c.p != c.end ||
        !scram_b64_decode(v, v_len, signature, sizeof(signature), &sig_len) ||
        sig_len != SCRAM_KEY_LEN)
        return false;
    if (CRYPTO_memcmp(signature, sc->server_signature, SCRAM_KEY_LEN) != 0)
        return false;
    sc->state = SCRAM_CLIENT_DONE;
    return true;
}

/* ---- server role ---- */

/*
 * A string beginning "SCRAM-SHA-256$" must parse as a secret, and an md5 secret is refused: a
 * config that looks like a hash is never silently taken for a password. A plain password gets
 * a random 16-byte salt and 4096 iterations, so pass-through keys from such a login only fit a
 * server whose secret happens to share them. The caller keeps its argument.
 */
struct scram_server *scram_server_create(const char *secret_or_password)
{
    uint8_t client_key[SCRAM_KEY_LEN];
    struct scram_server *ss;
    bool ok;

    if (secret_or_password == NULL || secret_or_password[0] == '\0' ||
        md5_is_secret(secret_or_password))
        return NULL;
    ss = calloc(1, sizeof(*ss));
    if (ss == NULL)
        return NULL;
    ss->state = SCRAM_SERVER_INIT;
    if (strncmp(secret_or_password, SCRAM_SECRET_PREFIX, strlen(SCRAM_SECRET_PREFIX)) == 0) {
        ok = scram_parse_secret(secret_or_password, &ss->iterations, ss->salt, &ss->salt_len,
                                sizeof(ss->salt), ss->stored_key, ss->server_key);
    } else {
        ss->iterations = SCRAM_DEFAULT_ITERATIONS;
        ss->salt_len = SCRAM_DEFAULT_SALT_LEN;
        ok = RAND_bytes(ss->salt, (int)ss->salt_len) == 1 &&
             scram_derive_keys(secret_or_password, ss->salt, ss->salt_len, ss->iterations,
                               client_key, ss->server_key) &&
             scram_sha256(client_key, SCRAM_KEY_LEN, ss->stored_key);
        OPENSSL_cleanse(client_key, sizeof(client_key));
    }
    if (!ok) {
        scram_server_destroy(ss);
        return NULL;
    }
    return ss;
}

void scram_server_destroy(struct scram_server *ss)
{
    if (ss == NULL)
        return;
    free(ss->nonce);
    free(ss->first_bare);
    free(ss->server_first);
    OPENSSL_cleanse(ss, sizeof(*ss));
    free(ss);
}

void scram_server_set_nonce(struct scram_server *ss, const char *nonce)
{
    char *copy = ss != NULL && nonce != NULL ? strdup(nonce) : NULL;

    if (copy == NULL)
        return;
    free(ss->nonce);
    ss->nonce = copy;
}

/*
 * Returns the server-first-message, malloc'd and owned by the caller. The gs2 header must be
 * "n,," or "y,,": "p=" asks for channel binding, which is not offered, and an authorization
 * identity is not supported. The "n=" user name is ignored, as PostgreSQL ignores it, but kept
 * verbatim inside client-first-message-bare for the AuthMessage.
 */
char *scram_server_first(struct scram_server *ss, const char *data, size_t len, size_t *out_len,
                         char *err, size_t errlen)
{
    struct scram_cursor c;
    const char *value, *nonce;
    size_t value_len, nonce_len;
    struct scram_buf b = {0};
    char iter_s[16];
    char *msg;

    if (ss == NULL || ss->state != SCRAM_SERVER_INIT) {
        scram_set_error(err, errlen, "unexpected SCRAM client-first-message");
        if (ss != NULL)
            ss->state = SCRAM_SERVER_FAILED;
        return NULL;
    }
    ss->state = SCRAM_SERVER_FAILED;
    if (!scram_message_ok(data, len)) {
        scram_set_error(err, errlen, "malformed SCRAM client-first-message");
        return NULL;
    }
    if (data[0] == 'p') {
        scram_set_error(err, errlen, "channel binding not supported");
        return NULL;
    }
    if ((data[0] != 'n' && data[0] != 'y') || len < 3 || data[1] != ',') {
        scram_set_error(err, errlen, "malformed SCRAM client-first-message");
        return NULL;
    }
    if (data[2] != ',') {
        scram_set_error(err, errlen,
                        data[2] == 'a' ? "SCRAM authorization identity not supported"
                                       : "malformed SCRAM client-first-message");
        return NULL;
    }
    scram_b64_encode((const uint8_t *)data, 3, ss->cbind);

    c = (struct scram_cursor){data + 3, data + len};
    if (scram_cursor_is(&c, 'm')) {
        scram_set_error(err, errlen, "SCRAM mandatory extension not supported");
        return NULL;
    }
    if (!scram_cursor_attr(&c, 'n', &value, &value_len) || !scram_cursor_next(&c) ||
        !scram_cursor_attr(&c, 'r', &nonce, &nonce_len) || !scram_nonce_ok(nonce, nonce_len)) {
        scram_set_error(err, errlen, "malformed SCRAM client-first-message");
        return NULL;
    }
    while (c.p != c.end) {
        if (!scram_cursor_next(&c) || !scram_cursor_any_attr(&c)) {
            scram_set_error(err, errlen, "malformed SCRAM client-first-message");
            return NULL;
        }
    }

    if (ss->nonce == NULL) {
        ss->nonce = scram_make_nonce();
        if (ss->nonce == NULL) {
            scram_set_error(err, errlen, "cannot make a SCRAM nonce");
            return NULL;
        }
    }
    ss->first_bare = malloc(len - 3 + 1);
    if (ss->first_bare == NULL) {
        scram_set_error(err, errlen, "out of memory in SCRAM");
        return NULL;
    }
    memcpy(ss->first_bare, data + 3, len - 3);
    ss->first_bare[len - 3] = '\0';
    ss->first_bare_len = len - 3;

    snprintf(iter_s, sizeof(iter_s), "%d", ss->iterations);
    scram_buf_str(&b, "r=");
    scram_buf_add(&b, nonce, nonce_len);
    scram_buf_str(&b, ss->nonce);
    ss->nonce_len = b.len - 2;
    scram_buf_str(&b, ",s=");
    scram_buf_b64(&b, ss->salt, ss->salt_len);
    scram_buf_str(&b, ",i=");
    scram_buf_str(&b, iter_s);
    ss->server_first = scram_buf_finish(&b, &ss->server_first_len);
    if (ss->server_first == NULL) {
        scram_set_error(err, errlen, "out of memory in SCRAM");
        return NULL;
    }
    msg = malloc(ss->server_first_len + 1);
    if (msg == NULL) {
        scram_set_error(err, errlen, "out of memory in SCRAM");
        return NULL;
    }
    memcpy(msg, ss->server_first, ss->server_first_len + 1);
    if (out_len != NULL)
        *out_len = ss->server_first_len;
    ss->state = SCRAM_SERVER_FIRST_SENT;
    return msg;
}

/*
 * Returns the server-final-message, malloc'd and owned by the caller. The client-final-message
 * is "c=<gs2 header b64>,r=<nonce>[,extensions],p=<proof>"; the proof must come last. keys is
 * always cleared first, and only marked valid after a correct proof whose salt fits it.
 */
char *scram_server_final(struct scram_server *ss, const char *data, size_t len, size_t *out_len,
                         struct scram_keys *keys, char *err, size_t errlen)
{
    struct scram_cursor c;
    const char *value, *proof_b64 = NULL;
    size_t value_len, proof_b64_len = 0, proof_len, without_proof_len = 0;
    uint8_t proof[SCRAM_KEY_LEN];
    uint8_t signature[SCRAM_KEY_LEN];
    uint8_t client_key[SCRAM_KEY_LEN];
    uint8_t check[SCRAM_KEY_LEN];
    struct scram_buf am = {0};
    struct scram_buf out = {0};
    char *msg = NULL;

    if (keys != NULL)
        memset(keys, 0, sizeof(*keys));
    if (ss == NULL || ss->state != SCRAM_SERVER_FIRST_SENT) {
        scram_set_error(err, errlen, "unexpected SCRAM client-final-message");
        if (ss != NULL)
            ss->state = SCRAM_SERVER_FAILED;
        return NULL;
    }
    ss->state = SCRAM_SERVER_FAILED;
    if (!scram_message_ok(data, len)) {
        scram_set_error(err, errlen, "malformed SCRAM client-final-message");
        return NULL;
    }
    c = (struct scram_cursor){data, data + len};
    if (!scram_cursor_attr(&c, 'c', &value, &value_len) || !scram_cursor_next(&c)) {
        scram_set_error(err, errlen, "malformed SCRAM client-final-message");
        return NULL;
    }
    if (value_len != strlen(ss->cbind) || memcmp(value, ss->cbind, value_len) != 0) {
        scram_set_error(err, errlen, "SCRAM channel binding does not match the gs2 header");
        return NULL;
    }
    if (!scram_cursor_attr(&c, 'r', &value, &value_len)) {
        scram_set_error(err, errlen, "malformed SCRAM client-final-message");
        return NULL;
    }
    if (value_len != ss->nonce_len || memcmp(value, ss->server_first + 2, value_len) != 0) {
        scram_set_error(err, errlen, "SCRAM nonce mismatch");
        return NULL;
    }
    while (proof_b64 == NULL) {
        if (!scram_cursor_next(&c)) {
            scram_set_error(err, errlen, "malformed SCRAM client-final-message");
            return NULL;
        }
        if (scram_cursor_is(&c, 'p')) {
            without_proof_len = (size_t)(c.p - 1 - data);
            if (!scram_cursor_attr(&c, 'p', &proof_b64, &proof_b64_len) || c.p != c.end) {
                scram_set_error(err, errlen, "malformed SCRAM client-final-message");
                return NULL;
            }
        } else if (!scram_cursor_any_attr(&c)) {
            scram_set_error(err, errlen, "malformed SCRAM client-final-message");
            return NULL;
        }
    }
    if (!scram_b64_decode(proof_b64, proof_b64_len, proof, sizeof(proof), &proof_len) ||
        proof_len != SCRAM_KEY_LEN) {
        scram_set_error(err, errlen, "malformed SCRAM proof");
        return NULL;
    }

    scram_buf_add(&am, ss->first_bare, ss->first_bare_len);
    scram_buf_str(&am, ",");
    scram_buf_add(&am, ss->server_first, ss->server_first_len);
    scram_buf_str(&am, ",");
    scram_buf_add(&am, data, without_proof_len);
    if (am.failed || !scram_hmac(ss->stored_key, SCRAM_KEY_LEN, am.data, am.len, signature)) {
        scram_set_error(err, errlen, "out of memory or digest failure in SCRAM");
        goto fail;
    }
    for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
        client_key[i] = proof[i] ^ signature[i];
    if (!scram_sha256(client_key, SCRAM_KEY_LEN, check) ||
        CRYPTO_memcmp(check, ss->stored_key, SCRAM_KEY_LEN) != 0) {
        scram_set_error(err, errlen, "SCRAM proof does not match: wrong password");
        goto fail;
    }
    if (!scram_hmac(ss->server_key, SCRAM_KEY_LEN, am.data, am.len, signature)) {
        scram_set_error(err, errlen, "digest failure in SCRAM");
        goto fail;
    }
    scram_buf_str(&out, "v=");
    scram_buf_b64(&out, signature, SCRAM_KEY_LEN);
    msg = scram_buf_finish(&out, out_len);
    if (msg == NULL) {
        scram_set_error(err, errlen, "out of memory in SCRAM");
        goto fail;
    }
    if (keys != NULL && ss->salt_len <= SCRAM_KEYS_SALT_CAP) {
        memcpy(keys->client_key, client_key, SCRAM_KEY_LEN);
        memcpy(keys->server_key, ss->server_key, SCRAM_KEY_LEN);
        memcpy(keys->salt, ss->salt, ss->salt_len);
        keys->salt_len = ss->salt_len;
        keys->iterations = ss->iterations;
        keys->valid = true;
    }
    ss->state = SCRAM_SERVER_DONE;
fail:
    scram_buf_wipe(&am);
    OPENSSL_cleanse(client_key, sizeof(client_key));
    OPENSSL_cleanse(check, sizeof(check));
    OPENSSL_cleanse(signature, sizeof(signature));
    OPENSSL_cleanse(proof, sizeof(proof));
    return msg;
}
