/*
 * PostgreSQL v3 protocol codec: framing, a bounds-checked reader, a message builder and
 * the few message encoders and decoders the proxy needs. No sockets and no event loop, so
 * it can be unit-tested and fuzzed on its own.
 */
#ifndef MYRMEX_WIRE_PROTO_H
#define MYRMEX_WIRE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_V3          196608 /* 3.0 */
#define PROTO_CANCEL_CODE 80877102
#define PROTO_SSL_CODE    80877103
#define PROTO_GSSENC_CODE 80877104
#define PROTO_HEADER_LEN  5     /* type byte + length */
#define PROTO_STARTUP_MAX 10000 /* PostgreSQL's own limit on a startup packet */

/* Authentication request codes ('R' messages). */
enum proto_auth {
    PROTO_AUTH_OK = 0,
    PROTO_AUTH_CLEARTEXT = 3,
    PROTO_AUTH_MD5 = 5,
    PROTO_AUTH_SASL = 10,
    PROTO_AUTH_SASL_CONTINUE = 11,
    PROTO_AUTH_SASL_FINAL = 12,
};

/* A bounds-checked view over one message body. A failed read sets the sticky failed flag. */
struct proto_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool failed;
};

void proto_reader_init(struct proto_reader *r, const void *data, size_t len);
uint8_t proto_get_u8(struct proto_reader *r);
uint16_t proto_get_u16(struct proto_reader *r);
uint32_t proto_get_u32(struct proto_reader *r);
/* A NUL-terminated string inside the body (borrowed), or "" with failed set. */
const char *proto_get_str(struct proto_reader *r);
/* n raw bytes (borrowed), or NULL with failed set. */
const uint8_t *proto_get_bytes(struct proto_reader *r, size_t n);
size_t proto_remaining(const struct proto_reader *r);

/* A growable message builder with a sticky failed flag, checked once at the end. */
struct proto_builder {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t msg_start; /* offset of the open message's length field */
    bool failed;
};

void proto_builder_init(struct proto_builder *b);
void proto_builder_fini(struct proto_builder *b);
void proto_builder_reset(struct proto_builder *b);
/* Open a message with a type byte; type 0 opens an untyped (startup-style) message. */
void proto_begin(struct proto_builder *b, uint8_t type);
void proto_put_u8(struct proto_builder *b, uint8_t v);
void proto_put_u16(struct proto_builder *b, uint16_t v);
void proto_put_u32(struct proto_builder *b, uint32_t v);
void proto_put_bytes(struct proto_builder *b, const void *p, size_t n);
void proto_put_str(struct proto_builder *b, const char *s);
/* Close the open message, filling in its length. */
void proto_end(struct proto_builder *b);

/* Parse a 4-byte big-endian length or code. */
uint32_t proto_read_u32(const uint8_t *p);

/* ---- encoders (append one whole message) ---- */
struct proto_error {
    const char *severity; /* "ERROR", "FATAL", "NOTICE", ... */
    const char *sqlstate;
    const char *message;
    const char *detail; /* optional */
    const char *hint;   /* optional */
    int position;       /* 1-based character position in the query, 0 for none */
};
void proto_write_error(struct proto_builder *b, const struct proto_error *e);
void proto_write_notice(struct proto_builder *b, const struct proto_error *e);
void proto_write_auth(struct proto_builder *b, uint32_t code, const void *extra, size_t len);
void proto_write_param_status(struct proto_builder *b, const char *name, const char *value);
void proto_write_key_data(struct proto_builder *b, uint32_t pid, uint32_t key);
void proto_write_ready(struct proto_builder *b, char status);
void proto_write_query(struct proto_builder *b, const char *sql);
void proto_write_terminate(struct proto_builder *b);
void proto_write_password(struct proto_builder *b, const char *password);
void proto_write_sasl_initial(struct proto_builder *b, const char *mechanism, const void *data,
                              size_t len);
void proto_write_sasl_response(struct proto_builder *b, const void *data, size_t len);
void proto_write_cancel(struct proto_builder *b, uint32_t pid, uint32_t key);
/* A StartupMessage from name/value pairs (names[i], values[i]). */
void proto_write_startup(struct proto_builder *b, const char *const *names,
                         const char *const *values, size_t n);

/* ---- decoders ---- */
#define PROTO_MAX_STARTUP_PARAMS 64
struct proto_startup {
    uint32_t code; /* PROTO_V3, PROTO_CANCEL_CODE, PROTO_SSL_CODE, ... or an unknown version */
    size_t n_params;
    const char *names[PROTO_MAX_STARTUP_PARAMS]; /* borrowed from the packet */
    const char *values[PROTO_MAX_STARTUP_PARAMS];
    uint32_t cancel_pid, cancel_key;
};
/*
 * Decode an untyped startup-phase packet (body = bytes after the 4-byte length).
 * Returns false with a reason for a malformed packet.
 */
bool proto_parse_startup(const uint8_t *body, size_t len, struct proto_startup *out,
                         const char **reason);
const char *proto_startup_get(const struct proto_startup *s, const char *name);

/* Fields of an ErrorResponse or NoticeResponse body (borrowed; absent fields are NULL). */
struct proto_error_fields {
    const char *severity;
    const char *sqlstate;
    const char *message;
    const char *detail;
    const char *hint;
};
bool proto_parse_error(const uint8_t *body, size_t len, struct proto_error_fields *out);

/* The name of a frontend or backend message type, for logs. */
const char *proto_frontend_name(uint8_t type);
const char *proto_backend_name(uint8_t type);

#endif
