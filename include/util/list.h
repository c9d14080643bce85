/*
 * Intrusive circular doubly linked lists. A node that is not in any list points to itself,
 * so list_del() on it is harmless and list_linked() tells membership.
 */
#ifndef MYRMEX_UTIL_LIST_H
#define MYRMEX_UTIL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
    struct list *next;
    struct list *prev;
};

#define list_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define list_for_each_safe(pos, tmp, head)                                                         \
    for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);                               \
         (pos) = (tmp), (tmp) = (pos)->next)

static inline void list_init(struct list *l)
{
    l->next = l->prev = l;
}

static inline bool list_empty(const struct list *l)
{
    return l->next == l;
}

static inline bool list_linked(const struct list *n)
{
    return n->next != n;
}

static inline void list_add_tail(struct list *head, struct list *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

static inline void list_add_head(struct list *head, struct list *n)
{
    n->next = head->next;
    n->prev = head;
    head->next->prev = n;
    head->next = n;
}

static inline void list_del(struct list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline struct list *list_pop(struct list *head)
{
    struct list *n;
    if (list_empty(head))
        return NULL;
    n = head->next;
    list_del(n);
    return n;
}

static inline size_t list_count(const struct list *head)
{
    size_t n = 0;
    for (const struct list *p = head->next; p != head; p = p->next)
        n++;
    return n;
}

#endif
