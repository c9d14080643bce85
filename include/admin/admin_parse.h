/*
 * The console's command parser: splits a Query string into statements at ';' (outside
 * quotes and comments) and reads each statement's shape: a verb and up to ADMIN_PARSE_MAX_WORDS
 * words or 'strings' (PgBouncer's WORD [WORD], and myrmex's longer commands such as
 * WAIT JOB 3 or SHOW QUERIES app ORDER BY p99 LIMIT 5), or SET key (= | TO) value. No
 * sockets, no proxy state: unit-tested on its own.
 */
#ifndef MYRMEX_ADMIN_ADMIN_PARSE_H
#define MYRMEX_ADMIN_ADMIN_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define ADMIN_PARSE_WORD_MAX  64
#define ADMIN_PARSE_VALUE_MAX 256
#define ADMIN_PARSE_MAX_WORDS 10

enum admin_parse_kind {
    ADMIN_PARSE_EMPTY = 0, /* only white space and comments */
    ADMIN_PARSE_COMMAND,   /* verb [word...] */
    ADMIN_PARSE_SET,       /* SET key = value */
    ADMIN_PARSE_INVALID,   /* none of the shapes: a syntax error */
    ADMIN_PARSE_TOO_LONG,  /* a word or value over its limit */
};

struct admin_parse_cmd {
    enum admin_parse_kind kind;
    /* Unquoted words are folded to lower case; "quoted" ones keep their case. */
    char verb[ADMIN_PARSE_WORD_MAX]; /* COMMAND: the first word; SET: "set" */
    char arg[ADMIN_PARSE_WORD_MAX]; /* COMMAND: the second word (not a 'string') or ""; SET: the key
                                     */
    char value[ADMIN_PARSE_VALUE_MAX]; /* SET: the value, unquoted */
    /* COMMAND: every token after the verb, unquoted; string[i] when it was a 'string'. */
    char words[ADMIN_PARSE_MAX_WORDS][ADMIN_PARSE_VALUE_MAX];
    bool string[ADMIN_PARSE_MAX_WORDS];
    int n_words;
};

/*
 * The next statement of sql from *pos: copies it (without its ';') into a new string the caller
 * frees, moves *pos past the ';', and returns NULL at the end. Quotes ('...', "...") and
 * comments (-- and / * * /) hide a ';'.
 */
char *admin_parse_next(const char *sql, size_t *pos);
/* Read one statement (as admin_parse_next returns it). */
void admin_parse_command(const char *stmt, struct admin_parse_cmd *out);

#endif
