/*
 * PostgreSQL's md5 password scheme: stored secrets, the salted wire response and its
 * constant-time verification. It keeps no state and does no I/O; the AuthenticationMD5Password
 * exchange itself belongs to the client and server login state machines.
 */
#include "auth/md5.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MD5_HEX_LEN    32
#define MD5_PREFIX_LEN 3

/*
 * Writes the lowercase hex MD5 of a || b and a NUL into hex. The one-shot MD5() is deprecated
 * in OpenSSL 3, so this goes through EVP. It returns false, leaving hex empty, when the digest
 * is unavailable (a FIPS-only provider) so that callers fail closed.
 */
static bool md5_hex2(const void *a, size_t a_len, const void *b, size_t b_len,
                     char hex[MD5_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, a, a_len) == 1 && EVP_DigestUpdate(ctx, b, b_len) == 1 &&
              EVP_DigestFinal_ex(ctx, digest, &digest_len) == 1 && digest_len == MD5_HEX_LEN / 2;

    EVP_MD_CTX_free(ctx);
    if (!ok) {
        hex[0] = '\0';
        return false;
    }
    for (unsigned int i = 0; i < digest_len; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[MD5_HEX_LEN] = '\0';
    return true;
}

/* A NULL user or password is treated as empty; out is left empty if MD5 is unavailable. */
void md5_secret(const char *user, const char *password, char out[MD5_SECRET_LEN + 1])
{
    char hex[MD5_HEX_LEN + 1];

    if (user == NULL)
        user = "";
    if (password == NULL)
        password = "";
    if (!md5_hex2(password, strlen(password), user, strlen(user), hex)) {
        out[0] = '\0';
        return;
    }
    memcpy(out, "md5", MD5_PREFIX_LEN);
    memcpy(out + MD5_PREFIX_LEN, hex, MD5_HEX_LEN + 1);
}

bool md5_is_secret(const char *s)
{
    if (s == NULL || strncmp(s, "md5", MD5_PREFIX_LEN) != 0)
        return false;
    for (size_t i = MD5_PREFIX_LEN; i < MD5_SECRET_LEN; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return s[MD5_SECRET_LEN] == '\0';
}

/*
 * A secret_or_password that looks like a stored secret is used as one, as PostgreSQL does.
 * out is left empty if MD5 is unavailable.
 */
void md5_response(const char *user, const char *secret_or_password, const unsigned char salt[4],
                  char out[MD5_SECRET_LEN + 1])
{
    char secret[MD5_SECRET_LEN + 1];
    char hex[MD5_HEX_LEN + 1];
    const char *s = secret_or_password;

    out[0] = '\0';
    if (!md5_is_secret(s)) {
        md5_secret(user, secret_or_password, secret);
        if (secret[0] == '\0')
            return;
        s = secret;
    }
    if (md5_hex2(s + MD5_PREFIX_LEN, MD5_HEX_LEN, salt, 4, hex)) {
        memcpy(out, "md5", MD5_PREFIX_LEN);
        memcpy(out + MD5_PREFIX_LEN, hex, MD5_HEX_LEN + 1);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
}

/*
 * response is the NUL-terminated string from the client's PasswordMessage. Its length is
 * public (always 35 for a well-formed answer), so only the content is compared in constant
 * time.
 */
bool md5_verify(const char *user, const char *secret_or_password, const unsigned char salt[4],
                const char *response)
{
    char expected[MD5_SECRET_LEN + 1];
    bool ok;

    if (response == NULL || strnlen(response, MD5_SECRET_LEN + 1) != MD5_SECRET_LEN)
        return false;
    md5_response(user, secret_or_password, salt, expected);
    ok = expected[0] != '\0' && CRYPTO_memcmp(expected, response, MD5_SECRET_LEN) == 0;
    OPENSSL_cleanse(expected, sizeof(expected));
    return ok;
}
