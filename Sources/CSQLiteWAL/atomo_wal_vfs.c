// The "atomo-wal" VFS: the default VFS, with the frames appended to a write-ahead log gathered into
// one write per commit (or per 128 KiB). See atomo_wal_vfs.h for the contract.
//
// Why: SQLite writes each WAL frame as two writes, its 24-byte header and then its page, so a
// commit of n pages costs 2n system calls, each of them taking the inode lock, updating the
// modification time and copying into one or two page-cache pages. Gathered, the same bytes go out in
// one call per 128 KiB. The file's content after every operation that can observe it is unchanged,
// because:
//
// - only appends are gathered: a write that does not continue the gathered bytes writes them out
//   first, so the order of writes to any offset is SQLite's own;
// - the commit frame (its header has a nonzero "database size after commit") is written out by the
//   write of its page, and that write returns the error if there is one, so a failed write fails
//   the commit before the WAL index publishes it to other connections;
// - every other method of the log writes out first, and so does every method of the database file
//   that reaches the disk, its locks or its shared memory (SQLite publishes a commit to readers
//   through the shared-memory barrier, and sends SQLITE_FCNTL_COMMIT_PHASETWO after it), as a
//   second line.
#include "atomo_wal_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>

const char *const atomo_wal_vfs_name = "atomo-wal";

enum {
    // Gathered bytes are written out when the next append would pass this: 128 KiB less one byte,
    // the most the unix VFS writes in one call (it masks the length of a write with 0x1ffff, since
    // SQLite itself never writes more than a 64 KiB page and its frame header at once).
    GATHER_CAPACITY = 0x1ffff,
    // sizeof(WAL frame header): page number, database size after commit, salts, checksums.
    FRAME_HEADER_SIZE = 24,
};

typedef struct GatherFile GatherFile;

struct GatherFile {
    sqlite3_file base;
    // The default VFS's file, in the same allocation right after this struct.
    sqlite3_file *real;
    // A database file: its open write-ahead log, whose gathered bytes its barrier writes out.
    GatherFile *log;
    // A write-ahead log: its database file, to unlink from at close.
    GatherFile *database;
    int isLog;
    // The write of the commit frame's page writes everything out before it returns.
    int commitPagePending;
    // An error from writing out at a point that could not report it (the barrier), reported by the
    // log's next method.
    int deferredError;
    unsigned char *buffer;
    sqlite3_int64 bufferOffset;
    int bufferLength;
};

static sqlite3_vfs gatherVFS;
static sqlite3_vfs *rootVFS;
static sqlite3_io_methods gatherMethods[3];
static _Atomic int64_t requestedWrites;
static _Atomic int64_t performedWrites;

static int isGatherFile(sqlite3_file *file) {
    return file != NULL && file->pMethods != NULL && file->pMethods >= &gatherMethods[0]
        && file->pMethods <= &gatherMethods[2];
}

// Passes one write on to the file system (counted). Returns its result.
static int writeThrough(GatherFile *file, const void *data, int amount, sqlite3_int64 offset) {
    atomic_fetch_add_explicit(&performedWrites, 1, memory_order_relaxed);
    return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

// Writes the gathered bytes out. Returns the file system's result.
static int writeOut(GatherFile *file) {
    if (file->bufferLength == 0) return SQLITE_OK;
    int length = file->bufferLength;
    file->bufferLength = 0;
    return writeThrough(file, file->buffer, length, file->bufferOffset);
}

// Writes the log's gathered bytes out before an operation on it; returns an earlier deferred error
// first.
static int settleLog(GatherFile *file) {
    if (file->deferredError != SQLITE_OK) {
        int error = file->deferredError;
        file->deferredError = SQLITE_OK;
        file->bufferLength = 0;
        return error;
    }
    return writeOut(file);
}

// Writes a database's log out from a method of the database that cannot report the log's errors.
static void settleLogOf(GatherFile *database) {
    GatherFile *log = database->log;
    if (log == NULL || log->bufferLength == 0) return;
    int rc = writeOut(log);
    if (rc != SQLITE_OK && log->deferredError == SQLITE_OK) log->deferredError = rc;
}

// Writes out what is gathered before another operation on `file`: a log's own bytes (returning their
// error), or a database's log's (whose error the log reports at its next method).
static int settle(GatherFile *file) {
    if (file->isLog) return settleLog(file);
    settleLogOf(file);
    return SQLITE_OK;
}

static uint32_t bigEndian32(const unsigned char *bytes) {
    return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) | bytes[3];
}

// MARK: - File methods

static int gatherClose(sqlite3_file *file) {
    GatherFile *p = (GatherFile *)file;
    int rc = SQLITE_OK;
    if (p->isLog) {
        rc = settleLog(p);
        if (p->database != NULL) p->database->log = NULL;
        sqlite3_free(p->buffer);
        p->buffer = NULL;
    } else if (p->log != NULL) {
        settleLogOf(p);
        p->log->database = NULL;
        p->log = NULL;
    }
    int closed = p->real->pMethods->xClose(p->real);
    return rc != SQLITE_OK ? rc : closed;
}

static int gatherRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xRead(p->real, data, amount, offset);
}

static int gatherWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    GatherFile *p = (GatherFile *)file;
    if (!p->isLog) return p->real->pMethods->xWrite(p->real, data, amount, offset);  // not counted
    atomic_fetch_add_explicit(&requestedWrites, 1, memory_order_relaxed);
    if (p->deferredError != SQLITE_OK) return settleLog(p);

    int continues = p->bufferLength > 0 && offset == p->bufferOffset + p->bufferLength
        && p->bufferLength + amount <= GATHER_CAPACITY;
    if (!continues) {
        int rc = writeOut(p);
        if (rc != SQLITE_OK) {
            p->commitPagePending = 0;
            return rc;
        }
        if (amount >= GATHER_CAPACITY) return writeThrough(p, data, amount, offset);
        if (p->buffer == NULL) {
            p->buffer = sqlite3_malloc(GATHER_CAPACITY);
            if (p->buffer == NULL) return writeThrough(p, data, amount, offset);
        }
        p->bufferOffset = offset;
    }
    memcpy(p->buffer + p->bufferLength, data, (size_t)amount);
    p->bufferLength += amount;

    if (p->commitPagePending) {
        p->commitPagePending = 0;
        return writeOut(p);
    }
    if (amount == FRAME_HEADER_SIZE && bigEndian32((const unsigned char *)data + 4) != 0) {
        p->commitPagePending = 1;
    }
    return SQLITE_OK;
}

static int gatherTruncate(sqlite3_file *file, sqlite3_int64 size) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xTruncate(p->real, size);
}

static int gatherSync(sqlite3_file *file, int flags) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xSync(p->real, flags);
}

static int gatherFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xFileSize(p->real, size);
}

static int gatherLock(sqlite3_file *file, int level) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xLock(p->real, level);
}

static int gatherUnlock(sqlite3_file *file, int level) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xUnlock(p->real, level);
}

static int gatherCheckReservedLock(sqlite3_file *file, int *result) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xCheckReservedLock(p->real, result);
}

static int gatherFileControl(sqlite3_file *file, int op, void *argument) {
    GatherFile *p = (GatherFile *)file;
    int rc = settle(p);
    if (rc != SQLITE_OK) return rc;
    if (op == SQLITE_FCNTL_VFSNAME) {
        rc = p->real->pMethods->xFileControl(p->real, op, argument);
        if (rc == SQLITE_OK && *(char **)argument != NULL) {
            char *inner = *(char **)argument;
            *(char **)argument = sqlite3_mprintf("%s/%z", atomo_wal_vfs_name, inner);
        } else if (rc == SQLITE_NOTFOUND) {
            *(char **)argument = sqlite3_mprintf("%s", atomo_wal_vfs_name);
            rc = SQLITE_OK;
        }
        return rc;
    }
    return p->real->pMethods->xFileControl(p->real, op, argument);
}

static int gatherSectorSize(sqlite3_file *file) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xSectorSize(p->real);
}

static int gatherDeviceCharacteristics(sqlite3_file *file) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xDeviceCharacteristics(p->real);
}

static int gatherShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **memory) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xShmMap(p->real, region, size, extend, memory);
}

static int gatherShmLock(sqlite3_file *file, int offset, int count, int flags) {
    GatherFile *p = (GatherFile *)file;
    settleLogOf(p);
    return p->real->pMethods->xShmLock(p->real, offset, count, flags);
}

static void gatherShmBarrier(sqlite3_file *file) {
    GatherFile *p = (GatherFile *)file;
    settleLogOf(p);
    p->real->pMethods->xShmBarrier(p->real);
}

static int gatherShmUnmap(sqlite3_file *file, int deleteFlag) {
    GatherFile *p = (GatherFile *)file;
    settleLogOf(p);
    return p->real->pMethods->xShmUnmap(p->real, deleteFlag);
}

static int gatherFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **page) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xFetch(p->real, offset, amount, page);
}

static int gatherUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
    GatherFile *p = (GatherFile *)file;
    return p->real->pMethods->xUnfetch(p->real, offset, page);
}

// MARK: - VFS methods

static int gatherOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    GatherFile *p = (GatherFile *)file;
    memset(p, 0, sizeof(GatherFile));
    p->real = (sqlite3_file *)&p[1];
    int rc = rootVFS->xOpen(rootVFS, name, p->real, flags, outFlags);
    if (p->real->pMethods == NULL) {
        p->base.pMethods = NULL;
        return rc;
    }
    int version = p->real->pMethods->iVersion;
    p->base.pMethods = &gatherMethods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && name != NULL) {
        p->isLog = 1;
        sqlite3_file *database = sqlite3_database_file_object(name);
        if (isGatherFile(database)) {
            p->database = (GatherFile *)database;
            p->database->log = p;
        }
    }
    return rc;
}

static int gatherDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return rootVFS->xDelete(rootVFS, name, syncDirectory);
}

static int gatherAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return rootVFS->xAccess(rootVFS, name, flags, result);
}

static int gatherFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return rootVFS->xFullPathname(rootVFS, name, size, out);
}

static void *gatherDlOpen(sqlite3_vfs *vfs, const char *path) {
    (void)vfs;
    return rootVFS->xDlOpen(rootVFS, path);
}

static void gatherDlError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    rootVFS->xDlError(rootVFS, size, message);
}

static void (*gatherDlSym(sqlite3_vfs *vfs, void *library, const char *symbol))(void) {
    (void)vfs;
    return rootVFS->xDlSym(rootVFS, library, symbol);
}

static void gatherDlClose(sqlite3_vfs *vfs, void *library) {
    (void)vfs;
    rootVFS->xDlClose(rootVFS, library);
}

static int gatherRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return rootVFS->xRandomness(rootVFS, size, out);
}

static int gatherSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return rootVFS->xSleep(rootVFS, microseconds);
}

static int gatherCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return rootVFS->xCurrentTime(rootVFS, now);
}

static int gatherGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return rootVFS->xGetLastError ? rootVFS->xGetLastError(rootVFS, size, out) : 0;
}

static int gatherCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return rootVFS->xCurrentTimeInt64(rootVFS, now);
}

static int gatherSetSystemCall(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return rootVFS->xSetSystemCall(rootVFS, name, call);
}

static sqlite3_syscall_ptr gatherGetSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return rootVFS->xGetSystemCall(rootVFS, name);
}

static const char *gatherNextSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return rootVFS->xNextSystemCall(rootVFS, name);
}

// MARK: - Registration

static pthread_once_t registration = PTHREAD_ONCE_INIT;
static int registrationResult = SQLITE_ERROR;

static void registerOnce(void) {
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK) {
        registrationResult = rc;
        return;
    }
    rootVFS = sqlite3_vfs_find(NULL);
    if (rootVFS == NULL) {
        registrationResult = SQLITE_ERROR;
        return;
    }
    for (int version = 1; version <= 3; version++) {
        sqlite3_io_methods *methods = &gatherMethods[version - 1];
        methods->iVersion = version;
        methods->xClose = gatherClose;
        methods->xRead = gatherRead;
        methods->xWrite = gatherWrite;
        methods->xTruncate = gatherTruncate;
        methods->xSync = gatherSync;
        methods->xFileSize = gatherFileSize;
        methods->xLock = gatherLock;
        methods->xUnlock = gatherUnlock;
        methods->xCheckReservedLock = gatherCheckReservedLock;
        methods->xFileControl = gatherFileControl;
        methods->xSectorSize = gatherSectorSize;
        methods->xDeviceCharacteristics = gatherDeviceCharacteristics;
        if (version >= 2) {
            methods->xShmMap = gatherShmMap;
            methods->xShmLock = gatherShmLock;
            methods->xShmBarrier = gatherShmBarrier;
            methods->xShmUnmap = gatherShmUnmap;
        }
        if (version >= 3) {
            methods->xFetch = gatherFetch;
            methods->xUnfetch = gatherUnfetch;
        }
    }
    gatherVFS.iVersion = rootVFS->iVersion < 3 ? rootVFS->iVersion : 3;
    gatherVFS.szOsFile = (int)sizeof(GatherFile) + rootVFS->szOsFile;
    gatherVFS.mxPathname = rootVFS->mxPathname;
    gatherVFS.zName = atomo_wal_vfs_name;
    gatherVFS.xOpen = gatherOpen;
    gatherVFS.xDelete = gatherDelete;
    gatherVFS.xAccess = gatherAccess;
    gatherVFS.xFullPathname = gatherFullPathname;
    gatherVFS.xDlOpen = rootVFS->xDlOpen ? gatherDlOpen : NULL;
    gatherVFS.xDlError = rootVFS->xDlError ? gatherDlError : NULL;
    gatherVFS.xDlSym = rootVFS->xDlSym ? gatherDlSym : NULL;
    gatherVFS.xDlClose = rootVFS->xDlClose ? gatherDlClose : NULL;
    gatherVFS.xRandomness = gatherRandomness;
    gatherVFS.xSleep = gatherSleep;
    gatherVFS.xCurrentTime = gatherCurrentTime;
    gatherVFS.xGetLastError = gatherGetLastError;
    if (gatherVFS.iVersion >= 2) gatherVFS.xCurrentTimeInt64 = gatherCurrentTimeInt64;
    if (gatherVFS.iVersion >= 3) {
        gatherVFS.xSetSystemCall = gatherSetSystemCall;
        gatherVFS.xGetSystemCall = gatherGetSystemCall;
        gatherVFS.xNextSystemCall = gatherNextSystemCall;
    }
    registrationResult = sqlite3_vfs_register(&gatherVFS, 0);
}

int atomo_wal_vfs_register(void) {
    pthread_once(&registration, registerOnce);
    return registrationResult;
}

atomo_wal_vfs_counters atomo_wal_vfs_read_counters(void) {
    atomo_wal_vfs_counters counters;
    counters.requested = atomic_load_explicit(&requestedWrites, memory_order_relaxed);
    counters.performed = atomic_load_explicit(&performedWrites, memory_order_relaxed);
    return counters;
}
