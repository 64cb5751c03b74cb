#ifndef ATOMO_WAL_VFS_H
#define ATOMO_WAL_VFS_H

#include <stdint.h>

/// The name of the VFS that `atomo_wal_vfs_register` adds: "atomo-wal".
extern const char *const atomo_wal_vfs_name;

/// Registers, once per process, the "atomo-wal" VFS on top of the default VFS (not as the default).
/// Later calls return the first call's result.
///
/// It is the default VFS with one difference: the frames SQLite appends to a write-ahead log are
/// gathered in memory and written with one `pwrite` per commit (or per 128 KiB), instead of two per
/// frame (a 24-byte frame header, then the page). The commit frame's write returns only once
/// everything is written, and every other operation on the log (read, sync, truncate, size, close,
/// a write elsewhere) and on its database (reads, sync, size, locks, file controls, shared memory)
/// writes out what is gathered first, so what any connection or process can observe, and when, is
/// unchanged.
///
/// Returns SQLITE_OK, or SQLite's error code when there is no default VFS or no memory.
int atomo_wal_vfs_register(void);

/// Counters of the "atomo-wal" VFS since the process started, for tests and benchmarks.
typedef struct {
    /// Writes SQLite asked for on write-ahead logs.
    int64_t requested;
    /// Writes passed on to the file system for them.
    int64_t performed;
} atomo_wal_vfs_counters;

/// The counters so far (relaxed atomic reads).
atomo_wal_vfs_counters atomo_wal_vfs_read_counters(void);

#endif
