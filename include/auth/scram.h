/*
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it, in both roles, without I/O:
 * callers move the messages. Channel binding is not offered ("n,," / "biws").
 *
 * Client role (myrmex logging in to a server): from a plain password, or from the ClientKey
 * and ServerKey obtained while the client authenticated to myrmex (pass-through, valid when
 * the server stores the same secret: same salt and iteration count).
 *
 * Server role (a client logging in to myrmex): against a stored secret
 * "SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>" or a plain
 * password (then a secret is derived with a random salt).
 */
#ifndef MYRMEX_AUTH_SCRAM_H
#define MYRMEX_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCRAM_KEY_LEN 32

struct scram_keys {
    bool valid;
    uint8_t client_key[SCRAM_KEY_LEN];
    uint8_t server_key[SCRAM_KEY_LEN];
    uint8_t salt[64];
    size_t salt_len;
    int iterations;
};

/* Parse a stored secret; false when s is not a SCRAM-SHA-256 secret. */
bool scram_parse_secret(const char *s, int *iterations, uint8_t *salt, size_t *salt_len,
                        size_t salt_cap, uint8_t stored_key[SCRAM_KEY_LEN],
                        uint8_t server_key[SCRAM_KEY_LEN]);
/* Build a stored secret from a password (for tests and for plain auth_file entries). */
char *scram_make_secret(const char *password, const uint8_t *salt, size_t salt_len, int iterations);

/* ---- client role ---- */
struct scram_client;
/* password may be NULL when keys (from pass-through) are given. Both are copied. */
struct scram_client *scram_client_create(const char *password, const struct scram_keys *keys);
void scram_client_destroy(struct scram_client *sc);
/* client-first-message ("n,,n=,r=<nonce>"), malloc'd, length in *len. */
char *scram_client_first(struct scram_client *sc, size_t *len);
/*
 * Consume server-first-message (data/len as received in AuthenticationSASLContinue) and
 * produce client-final-message. NULL on a malformed message, a nonce mismatch, or keys
 * whose salt/iterations differ from the server's; err gets the reason.
 */
char *scram_client_final(struct scram_client *sc, const char *data, size_t len, size_t *out_len,
                         char *err, size_t errlen);
/* Verify server-final-message ("v=<signature>"). */
bool scram_client_verify_final(struct scram_client *sc, const char *data, size_t len);

/* ---- server role ---- */
struct scram_server;
/* secret_or_password: a SCRAM secret or a plain password. NULL when it is neither usable. */
struct scram_server *scram_server_create(const char *secret_or_password);
void scram_server_destroy(struct scram_server *ss);
/*
 * Consume client-first-message (after the SASLInitialResponse header) and produce the
 * server-first-message. NULL on malformed input (err gets the reason).
 */
char *scram_server_first(struct scram_server *ss, const char *data, size_t len, size_t *out_len,
                         char *err, size_t errlen);
/*
 * Consume client-final-message. On a valid proof, return the server-final-message
 * ("v=...") and, if keys is not NULL, fill it with the recovered ClientKey, the ServerKey,
 * salt and iterations (for pass-through). NULL when the proof is wrong or input malformed.
 */
char *scram_server_final(struct scram_server *ss, const char *data, size_t len, size_t *out_len,
                         struct scram_keys *keys, char *err, size_t errlen);

/*
 * For tests: fixed nonces (and the client's "n=" user name) so that the RFC 7677 vector can
 * be reproduced. Call them before the first message; each string is copied.
 */
void scram_client_set_nonce(struct scram_client *sc, const char *nonce);
void scram_client_set_user(struct scram_client *sc, const char *user);
void scram_server_set_nonce(struct scram_server *ss, const char *nonce);

#endif
