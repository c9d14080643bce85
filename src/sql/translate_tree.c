/*
 * Generic walks over the libpg_query protobuf tree, driven by protobuf-c's message descriptors
 * so that every node type is covered without a case per type: visiting the nodes below a node,
 * comparing two trees while ignoring their locations (as PostgreSQL's equal() sees two
 * analysed expressions), and the leftmost location in a tree (exprLocation's rule for most
 * expressions). The translator's own walkers (translate*.c) stay typed; these serve checks.
 */
#include <string.h>

#include "translate_int.h"

/* The address of field f of message m. */
static const void *field_at(const ProtobufCMessage *m, unsigned offset)
{
    return (const char *)m + offset;
}

/* False when f is a member of a oneof other than the one set in m. */
static bool field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return true;
    return *(const uint32_t *)field_at(m, f->quantifier_offset) == f->id;
}

static size_t field_count(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)field_at(m, f->quantifier_offset);
    return 1;
}

/* The i-th message of a message-typed field (NULL when unset). */
static const ProtobufCMessage *field_message(const ProtobufCMessage *m,
                                             const ProtobufCFieldDescriptor *f, size_t i)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return (*(ProtobufCMessage *const *const *)field_at(m, f->offset))[i];
    return *(ProtobufCMessage *const *)field_at(m, f->offset);
}

static void walk_children(const ProtobufCMessage *m, xl_tree_fn fn, void *arg);

void xl_tree_walk(const node_t *n, xl_tree_fn fn, void *arg)
{
    if (n && fn(n, arg))
        walk_children(&n->base, fn, arg);
}

/* Every Node below message m, each given to xl_tree_walk. */
static void walk_children(const ProtobufCMessage *m, xl_tree_fn fn, void *arg)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || !field_present(m, f))
            continue;
        size_t n = field_count(m, f);
        for (size_t k = 0; k < n; k++) {
            const ProtobufCMessage *c = field_message(m, f, k);
            if (!c)
                continue;
            if (c->descriptor == &pg_query__node__descriptor)
                xl_tree_walk((const node_t *)c, fn, arg);
            else
                walk_children(c, fn, arg);
        }
    }
}

static size_t scalar_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return sizeof(uint64_t);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default:
        return sizeof(uint32_t); /* 32-bit integers, float, enum */
    }
}

static bool message_equal(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* Element p of a field of type f in one tree equals element q in the other. */
static bool value_equal(const ProtobufCFieldDescriptor *f, const void *p, const void *q)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *x = *(char *const *)p, *y = *(char *const *)q;
        return x == y || (x && y && !strcmp(x, y)) || (!x && !*y) || (!y && !*x);
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *x = p, *y = q;
        return x->len == y->len && (!x->len || !memcmp(x->data, y->data, x->len));
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return message_equal(*(ProtobufCMessage *const *)p, *(ProtobufCMessage *const *)q);
    default:
        return !memcmp(p, q, scalar_size(f->type));
    }
}

static bool message_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    if (!a || !b)
        return a == b;
    if (a->descriptor != b->descriptor)
        return false;
    const ProtobufCMessageDescriptor *d = a->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!strcmp(f->name, "location"))
            continue;
        bool pa = field_present(a, f), pb = field_present(b, f);
        if (pa != pb)
            return false;
        if (!pa)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = field_count(a, f);
            if (n != field_count(b, f))
                return false;
            const char *va = *(char *const *)field_at(a, f->offset);
            const char *vb = *(char *const *)field_at(b, f->offset);
            size_t sz = scalar_size(f->type);
            for (size_t k = 0; k < n; k++)
                if (!value_equal(f, va + k * sz, vb + k * sz))
                    return false;
        } else if (!value_equal(f, field_at(a, f->offset), field_at(b, f->offset))) {
            return false;
        }
    }
    return true;
}

bool xl_tree_equal(const node_t *a, const node_t *b)
{
    return message_equal(a ? &a->base : NULL, b ? &b->base : NULL);
}

static void min_location(const ProtobufCMessage *m, int *best)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!field_present(m, f))
            continue;
        if (f->type == PROTOBUF_C_TYPE_INT32 && f->label != PROTOBUF_C_LABEL_REPEATED &&
            !strcmp(f->name, "location")) {
            int32_t v = *(const int32_t *)field_at(m, f->offset);
            if (v >= 0 && (*best < 0 || v < *best))
                *best = v;
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            size_t n = field_count(m, f);
            for (size_t k = 0; k < n; k++) {
                const ProtobufCMessage *c = field_message(m, f, k);
                if (c)
                    min_location(c, best);
            }
        }
    }
}

int xl_tree_location(const node_t *n)
{
    int best = -1;
    if (n)
        min_location(&n->base, &best);
    return best;
}

int xl_char_position(const char *text, int byte_offset)
{
    if (byte_offset < 0)
        return 0;
    int chars = 0;
    for (int i = 0; i < byte_offset && text[i]; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}
