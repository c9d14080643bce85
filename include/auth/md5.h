/*
 * PostgreSQL's md5 password scheme: the stored secret is "md5" || md5(password || user),
 * and the wire response is "md5" || md5(hex(stored secret without "md5") || salt).
 */
#ifndef MYRMEX_AUTH_MD5_H
#define MYRMEX_AUTH_MD5_H

#include <stdbool.h>
#include <stddef.h>

#define MD5_SECRET_LEN 35 /* "md5" + 32 hex digits, without the terminating NUL */

/* out receives the NUL-terminated stored secret "md5..." for user/password. */
void md5_secret(const char *user, const char *password, char out[MD5_SECRET_LEN + 1]);
/* true when s has the form "md5" + 32 lowercase hex digits. */
bool md5_is_secret(const char *s);
/*
 * The response to an AuthenticationMD5Password request: secret_or_password is either a
 * stored "md5..." secret or a plain password (then combined with user first).
 */
void md5_response(const char *user, const char *secret_or_password, const unsigned char salt[4],
                  char out[MD5_SECRET_LEN + 1]);
/* Constant-time check of a client's response against a stored secret or plain password. */
bool md5_verify(const char *user, const char *secret_or_password, const unsigned char salt[4],
                const char *response);

#endif
