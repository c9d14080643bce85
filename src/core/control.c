/*
 * Runtime control flags (control.h).
 */
#include "core/control.h"

bool control_paused(const char *db)
{
    (void)db;
    return false;
}

bool control_disabled(const char *db)
{
    (void)db;
    return false;
}

bool control_all_paused(void)
{
    return false;
}

bool control_suspended(void)
{
    return false;
}
