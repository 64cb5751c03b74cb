#ifndef ATOMO_CSQLITE_SHIM_H
#define ATOMO_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import.
static inline sqlite3_destructor_type atomo_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type atomo_sqlite_static(void) { return SQLITE_STATIC; }
#endif
