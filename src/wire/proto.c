/*
 * The v3 protocol codec. Every read from a message body is bounds-checked and a failure
 * is sticky, so a decoder checks once at the end; builders likewise record allocation
 * failure once. Nothing here performs I/O.
 */
#include "wire/proto.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void proto_reader_init(struct proto_reader *r, const void *data, size_t len)
{
    static const uint8_t empty[1];
    /* An empty body may come as NULL; memchr() and pointer arithmetic on NULL are undefined. */
    r->data = data ? data : empty;
    r->len = len;
    r->pos = 0;
    r->failed = false;
}

size_t proto_remaining(const struct proto_reader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

const uint8_t *proto_get_bytes(struct proto_reader *r, size_t n)
{
    const uint8_t *p;
    if (r->failed || r->len - r->pos < n) {
        r->failed = true;
        return NULL;
    }
    p = r->data + r->pos;
    r->pos += n;
    return p;
}

uint8_t proto_get_u8(struct proto_reader *r)
{
    const uint8_t *p = proto_get_bytes(r, 1);
    return p ? p[0] : 0;
}

uint16_t proto_get_u16(struct proto_reader *r)
{
    const uint8_t *p = proto_get_bytes(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t proto_read_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint32_t proto_get_u32(struct proto_reader *r)
{
    const uint8_t *p = proto_get_bytes(r, 4);
    return p ? proto_read_u32(p) : 0;
}

const char *proto_get_str(struct proto_reader *r)
{
    const uint8_t *start, *nul;
    if (r->failed)
        return "";
    start = r->data + r->pos;
    nul = memchr(start, 0, r->len - r->pos);
    if (!nul) {
        r->failed = true;
        return "";
    }
    r->pos += (size_t)(nul - start) + 1;
    return (const char *)start;
}

void proto_builder_init(struct proto_builder *b)
{
    memset(b, 0, sizeof(*b));
}

void proto_builder_fini(struct proto_builder *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void proto_builder_reset(struct proto_builder *b)
{
    b->len = 0;
    b->msg_start = 0;
    b->failed = false;
}

static bool proto_reserve(struct proto_builder *b, size_t n)
{
    size_t cap;
    uint8_t *p;
    if (b->failed)
        return false;
    if (b->cap - b->len >= n)
        return true;
    cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void proto_put_bytes(struct proto_builder *b, const void *p, size_t n)
{
    if (!proto_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void proto_put_u8(struct proto_builder *b, uint8_t v)
{
    proto_put_bytes(b, &v, 1);
}

void proto_put_u16(struct proto_builder *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    proto_put_bytes(b, p, 2);
}

void proto_put_u32(struct proto_builder *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    proto_put_bytes(b, p, 4);
}

void proto_put_str(struct proto_builder *b, const char *s)
{
    proto_put_bytes(b, s, strlen(s) + 1);
}

void proto_begin(struct proto_builder *b, uint8_t type)
{
    if (type)
        proto_put_u8(b, type);
    b->msg_start = b->len;
    proto_put_u32(b, 0);
}

void proto_end(struct proto_builder *b)
{
    uint32_t len;
    if (b->failed)
        return;
    len = (uint32_t)(b->len - b->msg_start);
    b->data[b->msg_start] = (uint8_t)(len >> 24);
    b->data[b->msg_start + 1] = (uint8_t)(len >> 16);
    b->data[b->msg_start + 2] = (uint8_t)(len >> 8);
    b->data[b->msg_start + 3] = (uint8_t)len;
}

static void proto_write_fields(struct proto_builder *b, uint8_t type, const struct proto_error *e)
{
    proto_begin(b, type);
    proto_put_u8(b, 'S');
    proto_put_str(b, e->severity);
    proto_put_u8(b, 'V');
    proto_put_str(b, e->severity);
    proto_put_u8(b, 'C');
    proto_put_str(b, e->sqlstate);
    proto_put_u8(b, 'M');
    proto_put_str(b, e->message);
    if (e->detail) {
        proto_put_u8(b, 'D');
        proto_put_str(b, e->detail);
    }
    if (e->hint) {
        proto_put_u8(b, 'H');
        proto_put_str(b, e->hint);
    }
    if (e->position > 0) {
        char pos[16];
        snprintf(pos, sizeof(pos), "%d", e->position);
        proto_put_u8(b, 'P');
        proto_put_str(b, pos);
    }
    proto_put_u8(b, 0);
    proto_end(b);
}

void proto_write_error(struct proto_builder *b, const struct proto_error *e)
{
    proto_write_fields(b, 'E', e);
}

void proto_write_notice(struct proto_builder *b, const struct proto_error *e)
{
    proto_write_fields(b, 'N', e);
}

void proto_write_auth(struct proto_builder *b, uint32_t code, const void *extra, size_t len)
{
    proto_begin(b, 'R');
    proto_put_u32(b, code);
    proto_put_bytes(b, extra, len);
    proto_end(b);
}

void proto_write_param_status(struct proto_builder *b, const char *name, const char *value)
{
    proto_begin(b, 'S');
    proto_put_str(b, name);
    proto_put_str(b, value);
    proto_end(b);
}

void proto_write_key_data(struct proto_builder *b, uint32_t pid, uint32_t key)
{
    proto_begin(b, 'K');
    proto_put_u32(b, pid);
    proto_put_u32(b, key);
    proto_end(b);
}

void proto_write_ready(struct proto_builder *b, char status)
{
    proto_begin(b, 'Z');
    proto_put_u8(b, (uint8_t)status);
    proto_end(b);
}

void proto_write_query(struct proto_builder *b, const char *sql)
{
    proto_begin(b, 'Q');
    proto_put_str(b, sql);
    proto_end(b);
}

void proto_write_terminate(struct proto_builder *b)
{
    proto_begin(b, 'X');
    proto_end(b);
}

void proto_write_password(struct proto_builder *b, const char *password)
{
    proto_begin(b, 'p');
    proto_put_str(b, password);
    proto_end(b);
}

void proto_write_sasl_initial(struct proto_builder *b, const char *mechanism, const void *data,
                              size_t len)
{
    proto_begin(b, 'p');
    proto_put_str(b, mechanism);
    proto_put_u32(b, (uint32_t)len);
    proto_put_bytes(b, data, len);
    proto_end(b);
}

void proto_write_sasl_response(struct proto_builder *b, const void *data, size_t len)
{
    proto_begin(b, 'p');
    proto_put_bytes(b, data, len);
    proto_end(b);
}

void proto_write_cancel(struct proto_builder *b, uint32_t pid, uint32_t key)
{
    proto_begin(b, 0);
    proto_put_u32(b, PROTO_CANCEL_CODE);
    proto_put_u32(b, pid);
    proto_put_u32(b, key);
    proto_end(b);
}

void proto_write_startup(struct proto_builder *b, const char *const *names,
                         const char *const *values, size_t n)
{
    proto_begin(b, 0);
    proto_put_u32(b, PROTO_V3);
    for (size_t i = 0; i < n; i++) {
        proto_put_str(b, names[i]);
        proto_put_str(b, values[i]);
    }
    proto_put_u8(b, 0);
    proto_end(b);
}

bool proto_parse_startup(const uint8_t *body, size_t len, struct proto_startup *out,
                         const char **reason)
{
    struct proto_reader r;

    memset(out, 0, sizeof(*out));
    proto_reader_init(&r, body, len);
    out->code = proto_get_u32(&r);
    if (r.failed) {
        *reason = "startup packet too short";
        return false;
    }
    switch (out->code) {
    case PROTO_CANCEL_CODE:
        out->cancel_pid = proto_get_u32(&r);
        out->cancel_key = proto_get_u32(&r);
        if (r.failed || proto_remaining(&r) != 0) {
            *reason = "invalid length of cancel request";
            return false;
        }
        return true;
    case PROTO_SSL_CODE:
    case PROTO_GSSENC_CODE:
        if (proto_remaining(&r) != 0) {
            *reason = "invalid length of encryption request";
            return false;
        }
        return true;
    default:
        break;
    }
    if (out->code >> 16 != 3)
        return true; /* the caller rejects the unsupported version with its own message */
    for (;;) {
        const char *name = proto_get_str(&r), *value;
        if (r.failed) {
            *reason = "startup packet is missing its terminator";
            return false;
        }
        if (name[0] == '\0')
            break;
        value = proto_get_str(&r);
        if (r.failed) {
            *reason = "startup parameter has no value";
            return false;
        }
        if (out->n_params == PROTO_MAX_STARTUP_PARAMS) {
            *reason = "too many startup parameters";
            return false;
        }
        out->names[out->n_params] = name;
        out->values[out->n_params] = value;
        out->n_params++;
    }
    if (proto_remaining(&r) != 0) {
        *reason = "trailing bytes after the startup packet's terminator";
        return false;
    }
    return true;
}

const char *proto_startup_get(const struct proto_startup *s, const char *name)
{
    for (size_t i = 0; i < s->n_params; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->values[i];
    return NULL;
}

bool proto_parse_error(const uint8_t *body, size_t len, struct proto_error_fields *out)
{
    struct proto_reader r;

    memset(out, 0, sizeof(*out));
    proto_reader_init(&r, body, len);
    for (;;) {
        uint8_t field = proto_get_u8(&r);
        const char *value;
        if (r.failed)
            return false;
        if (field == 0)
            break;
        value = proto_get_str(&r);
        if (r.failed)
            return false;
        switch (field) {
        case 'S':
            if (!out->severity)
                out->severity = value;
            break;
        case 'V':
            out->severity = value;
            break;
        case 'C':
            out->sqlstate = value;
            break;
        case 'M':
            out->message = value;
            break;
        case 'D':
            out->detail = value;
            break;
        case 'H':
            out->hint = value;
            break;
        default:
            break;
        }
    }
    return proto_remaining(&r) == 0;
}

const char *proto_frontend_name(uint8_t type)
{
    switch (type) {
    case 'B':
        return "Bind";
    case 'C':
        return "Close";
    case 'd':
        return "CopyData";
    case 'c':
        return "CopyDone";
    case 'f':
        return "CopyFail";
    case 'D':
        return "Describe";
    case 'E':
        return "Execute";
    case 'H':
        return "Flush";
    case 'F':
        return "FunctionCall";
    case 'P':
        return "Parse";
    case 'p':
        return "PasswordMessage";
    case 'Q':
        return "Query";
    case 'S':
        return "Sync";
    case 'X':
        return "Terminate";
    default:
        return "unknown";
    }
}

const char *proto_backend_name(uint8_t type)
{
    switch (type) {
    case 'R':
        return "Authentication";
    case 'K':
        return "BackendKeyData";
    case '2':
        return "BindComplete";
    case '3':
        return "CloseComplete";
    case 'C':
        return "CommandComplete";
    case 'd':
        return "CopyData";
    case 'c':
        return "CopyDone";
    case 'G':
        return "CopyInResponse";
    case 'H':
        return "CopyOutResponse";
    case 'W':
        return "CopyBothResponse";
    case 'D':
        return "DataRow";
    case 'I':
        return "EmptyQueryResponse";
    case 'E':
        return "ErrorResponse";
    case 'V':
        return "FunctionCallResponse";
    case 'v':
        return "NegotiateProtocolVersion";
    case 'n':
        return "NoData";
    case 'N':
        return "NoticeResponse";
    case 'A':
        return "NotificationResponse";
    case 't':
        return "ParameterDescription";
    case 'S':
        return "ParameterStatus";
    case '1':
        return "ParseComplete";
    case 's':
        return "PortalSuspended";
    case 'Z':
        return "ReadyForQuery";
    case 'T':
        return "RowDescription";
    default:
        return "unknown";
    }
}
