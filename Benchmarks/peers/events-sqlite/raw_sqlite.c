/*
 * raw_sqlite.c: the physical limit for Atomo's SQLite event store on this machine.
 *
 * Creates exactly the schema of Sources/AtomoEvents/SQLite/SQLiteEventStoreSchema.swift with the
 * pragmas Atomo's SQLiteDatabase sets (WAL, synchronous NORMAL or FULL as asked, same cache and mmap
 * size), then inserts the rows
 * Atomo's append writes: per aggregate one atomo_streams row and `batch` atomo_events rows with
 * 16-byte time-ordered (v7) ids, one transaction per aggregate, prepared statements reused.
 * No expected-version lookup, no idempotency handling: the floor of the work. WAL checkpoints run
 * as in Atomo's SQLiteDatabase (Sources/AtomoSQLite/WALCheckpointer.swift): the writer's WAL hook
 * wakes a checkpointer thread with its own connection each time the WAL has grown by 1000 frames,
 * and checkpoints itself past 4000.
 *
 * Then reads the whole log back in pages of 10,000 (all columns, as Atomo's readAllPage does),
 * READ_PASSES times (the median pass counts, as in atomo-bench), then commits `single` one-event aggregates one transaction each, and finally `single` more
 * grouped 64 per transaction (the limit of Atomo's group commit).
 *
 * Usage: raw_sqlite PATH EVENTS BATCH SINGLE [NORMAL|FULL [READ_PASSES]]  -> prints one JSON object.
 * Defaults: NORMAL (Atomo's default durability), 3 read passes.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;
static const char *synchronous = "NORMAL";

static void check(int code, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void exec(const char *sql) {
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, message);
        exit(1);
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* RFC 9562 v7: 48 bits of milliseconds, a 12-bit counter within the millisecond, random bits. */
static uint64_t last_ms, random_state = 0x9E3779B97F4A7C15ull;
static unsigned counter;

static uint64_t splitmix(void) {
    uint64_t z = (random_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void uuid_v7(unsigned char out[16]) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t ms = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
    if (ms <= last_ms) {
        ms = last_ms;
        if (++counter > 0x0FFF) { ms++; counter = 0; }
    } else {
        counter = 0;
    }
    last_ms = ms;
    uint64_t r = splitmix();
    for (int i = 0; i < 6; i++) out[i] = (unsigned char)(ms >> (40 - 8 * i));
    out[6] = 0x70 | (unsigned char)(counter >> 8);
    out[7] = (unsigned char)counter;
    out[8] = 0x80 | (unsigned char)(r >> 58);
    for (int i = 9; i < 16; i++) out[i] = (unsigned char)(r >> (8 * (15 - i)));
}

static void uuid_text(const unsigned char id[16], char out[37]) {
    static const char hex[] = "0123456789abcdef";
    int j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
        out[j++] = hex[id[i] >> 4];
        out[j++] = hex[id[i] & 15];
    }
    out[j] = 0;
}

static sqlite3_stmt *insert_stream, *insert_event;

/* The checkpointer: a thread with a connection of its own, woken by the writer's WAL hook. */
static pthread_mutex_t checkpoint_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t checkpoint_wanted = PTHREAD_COND_INITIALIZER;
static int checkpoint_queued, checkpoint_stop;

static void *checkpointer(void *path) {
    sqlite3 *connection;
    if (sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) exit(1);
    char pragmas[128];
    snprintf(pragmas, sizeof pragmas, "PRAGMA synchronous = %s; PRAGMA mmap_size = 268435456", synchronous);
    sqlite3_exec(connection, pragmas, NULL, NULL, NULL);
    pthread_mutex_lock(&checkpoint_lock);
    for (;;) {
        while (!checkpoint_queued && !checkpoint_stop) pthread_cond_wait(&checkpoint_wanted, &checkpoint_lock);
        if (checkpoint_stop) break;
        checkpoint_queued = 0;
        pthread_mutex_unlock(&checkpoint_lock);
        sqlite3_wal_checkpoint_v2(connection, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&checkpoint_lock);
    }
    pthread_mutex_unlock(&checkpoint_lock);
    sqlite3_close(connection);
    return NULL;
}

/* As Atomo's WALCheckpointer: a background checkpoint each time the WAL has grown by 1000 frames
   since the last request (0 after the WAL restarted), the writer's own past 4000. */
static int requested_at;

static int wal_hook(void *context, sqlite3 *handle, const char *database, int frames) {
    (void)context;
    if (frames < requested_at) requested_at = 0;
    if (frames >= 4000) {
        sqlite3_wal_checkpoint_v2(handle, database, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    } else if (frames >= 1000 && frames - requested_at >= 1000) {
        pthread_mutex_lock(&checkpoint_lock);
        if (!checkpoint_queued) {
            checkpoint_queued = 1;
            requested_at = frames;
            pthread_cond_signal(&checkpoint_wanted);
        }
        pthread_mutex_unlock(&checkpoint_lock);
    }
    return SQLITE_OK;
}

/* One aggregate: a new stream with `count` events, in one transaction of its own, or with
   `grouped` inside a transaction the caller opened (as Atomo's group commit does: without a
   savepoint per append unless one fails after writing, which never happens here). */
static void append_aggregate_in(long contact, int count, int grouped) {
    unsigned char id[16];
    char stream_uuid[37], name[64], correlation[37], actor[32], payload[256];
    uuid_v7(id);
    uuid_text(id, stream_uuid);
    snprintf(name, sizeof name, "Contact-%s", stream_uuid);
    uuid_v7(id);
    uuid_text(id, correlation);
    snprintf(actor, sizeof actor, "user-%ld", contact % 1000);
    sqlite3_int64 committed_at = (sqlite3_int64)(now() * 1e6);

    if (!grouped) exec("BEGIN IMMEDIATE");
    sqlite3_bind_text(insert_stream, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_stream, 2, "Contact", -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert_stream, 3, count - 1);
    check(sqlite3_step(insert_stream), "insert stream");
    sqlite3_reset(insert_stream);
    sqlite3_int64 stream_id = sqlite3_last_insert_rowid(db);

    sqlite3_bind_int64(insert_event, 2, stream_id);
    sqlite3_bind_text(insert_event, 7, correlation, -1, SQLITE_TRANSIENT);
    sqlite3_bind_null(insert_event, 8);
    sqlite3_bind_text(insert_event, 9, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_null(insert_event, 10);
    sqlite3_bind_null(insert_event, 11);
    sqlite3_bind_int64(insert_event, 12, committed_at);
    for (int version = 0; version < count; version++) {
        /* The same ~160-byte JSON as Benchmarks/Sources/EventsWorkload/ContactEvents.swift. */
        int length = snprintf(payload, sizeof payload,
            "{\"name\":\"Contact %ld\",\"email\":\"contact%ld@example.com\",\"phone\":\"+1-555-01%ld\","
            "\"company\":\"Acme Corporation\",\"tags\":[\"lead\",\"newsletter\"],\"score\":%d,\"revision\":%d}",
            contact, contact, contact % 100, version % 100, version);
        uuid_v7(id);
        sqlite3_bind_blob(insert_event, 1, id, 16, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert_event, 3, version);
        sqlite3_bind_text(insert_event, 4, version == 0 ? "ContactCreated" : "ContactUpdated", -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert_event, 5, 1);
        sqlite3_bind_blob(insert_event, 6, payload, length, SQLITE_TRANSIENT);
        check(sqlite3_step(insert_event), "insert event");
        sqlite3_reset(insert_event);
    }
    if (!grouped) exec("COMMIT");
}

static void append_aggregate(long contact, int count) { append_aggregate_in(contact, count, 0); }

int main(int argc, char **argv) {
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: %s PATH EVENTS BATCH SINGLE [NORMAL|FULL [READ_PASSES]]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long events = atol(argv[2]), batch = atol(argv[3]), single = atol(argv[4]);
    if (argc > 5) synchronous = argv[5];
    int passes = argc > 6 ? atoi(argv[6]) : 3;
    if (events <= 0 || batch <= 0 || single < 0 || passes <= 0 || passes > 64) return 2;
    if (strcmp(synchronous, "NORMAL") != 0 && strcmp(synchronous, "FULL") != 0) {
        fprintf(stderr, "synchronous must be NORMAL or FULL\n");
        return 2;
    }
    events -= events % batch;

    check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL), "open");
    exec("PRAGMA journal_mode = WAL");
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA synchronous = %s; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;"
             " PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 268435456;", synchronous);
    exec(pragmas);
    /* Exactly SQLiteEventStoreSchema, version 1. */
    exec("BEGIN IMMEDIATE;"
         "CREATE TABLE IF NOT EXISTS atomo_migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL);"
         "CREATE TABLE atomo_streams ("
         "    id INTEGER PRIMARY KEY,"
         "    name TEXT NOT NULL UNIQUE,"
         "    category TEXT NOT NULL,"
         "    version INTEGER NOT NULL"
         ");"
         "CREATE INDEX atomo_streams_by_category ON atomo_streams (category);"
         "CREATE TABLE atomo_events ("
         "    position INTEGER PRIMARY KEY,"
         "    event_id BLOB NOT NULL,"
         "    stream_id INTEGER NOT NULL,"
         "    stream_version INTEGER NOT NULL,"
         "    type TEXT NOT NULL,"
         "    schema_version INTEGER NOT NULL,"
         "    payload BLOB NOT NULL,"
         "    correlation_id TEXT,"
         "    causation_id TEXT,"
         "    actor TEXT,"
         "    tenant TEXT,"
         "    custom TEXT,"
         "    committed_at INTEGER NOT NULL"
         ");"
         "CREATE UNIQUE INDEX atomo_events_by_id ON atomo_events (event_id);"
         "CREATE UNIQUE INDEX atomo_events_by_stream ON atomo_events (stream_id, stream_version);"
         "INSERT INTO atomo_migrations (module, version) VALUES ('events', 1)"
         "    ON CONFLICT (module) DO UPDATE SET version = excluded.version;"
         "COMMIT;");

    pthread_t checkpoint_thread;
    pthread_create(&checkpoint_thread, NULL, checkpointer, (void *)path);
    sqlite3_wal_hook(db, wal_hook, NULL);

    check(sqlite3_prepare_v3(db, "INSERT INTO atomo_streams (name, category, version) VALUES (?1, ?2, ?3)", -1,
                             SQLITE_PREPARE_PERSISTENT, &insert_stream, NULL), "prepare");
    check(sqlite3_prepare_v3(db,
                             "INSERT INTO atomo_events (event_id, stream_id, stream_version, type, schema_version, payload,"
                             " correlation_id, causation_id, actor, tenant, custom, committed_at)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                             -1, SQLITE_PREPARE_PERSISTENT, &insert_event, NULL), "prepare");

    double start = now();
    for (long aggregate = 0; aggregate < events / batch; aggregate++) append_aggregate(aggregate, (int)batch);
    double append_rate = (double)events / (now() - start);

    /* Read-all: every column of every event, in pages of 10,000, in a read transaction each. */
    sqlite3_stmt *page;
    check(sqlite3_prepare_v3(db,
                             "SELECT position, event_id, stream_id, stream_version, type, schema_version, payload,"
                             " correlation_id, causation_id, actor, tenant, custom, committed_at"
                             " FROM atomo_events WHERE position > ?1 ORDER BY position LIMIT 10000",
                             -1, SQLITE_PREPARE_PERSISTENT, &page, NULL), "prepare");
    double rates[64];
    long bytes = 0;
    for (int pass = 0; pass < passes; pass++) {
        start = now();
        long read = 0;
        bytes = 0;
        sqlite3_int64 position = 0;
        for (;;) {
            long in_page = 0;
            exec("BEGIN");
            sqlite3_bind_int64(page, 1, position);
            while (sqlite3_step(page) == SQLITE_ROW) {
                position = sqlite3_column_int64(page, 0);
                bytes += sqlite3_column_bytes(page, 1) + sqlite3_column_bytes(page, 4) + sqlite3_column_bytes(page, 6)
                         + sqlite3_column_bytes(page, 7) + sqlite3_column_bytes(page, 9);
                (void)sqlite3_column_blob(page, 1);
                (void)sqlite3_column_blob(page, 6);
                (void)sqlite3_column_text(page, 4);
                (void)sqlite3_column_text(page, 7);
                (void)sqlite3_column_text(page, 9);
                in_page++;
            }
            sqlite3_reset(page);
            exec("COMMIT");
            read += in_page;
            if (in_page < 10000) break;
        }
        rates[pass] = (double)read / (now() - start);
        if (read != events) {
            fprintf(stderr, "read %ld events, expected %ld\n", read, events);
            return 1;
        }
    }
    /* The median pass (the upper middle one for an even count, as atomo-bench takes it). */
    for (int i = 1; i < passes; i++)
        for (int j = i; j > 0 && rates[j - 1] > rates[j]; j--) {
            double t = rates[j]; rates[j] = rates[j - 1]; rates[j - 1] = t;
        }
    double read_rate = rates[passes / 2];

    start = now();
    for (long i = 0; i < single; i++) append_aggregate(events / batch + i, 1);
    double single_rate = single > 0 ? (double)single / (now() - start) : 0;

    /* Group commit's limit: the same single-event aggregates, 64 per transaction. */
    start = now();
    long base = events / batch + single;
    for (long i = 0; i < single; i += 64) {
        exec("BEGIN IMMEDIATE");
        for (long j = i; j < i + 64 && j < single; j++) append_aggregate_in(base + j, 1, 1);
        exec("COMMIT");
    }
    double grouped_rate = single > 0 ? (double)single / (now() - start) : 0;

    printf("{\"system\":\"raw-c\",\"events\":%ld,\"batch\":%ld,\"appendEventsPerSecond\":%.0f,"
           "\"readAllEventsPerSecond\":%.0f,\"sequentialSingleAppendsPerSecond\":%.0f,"
           "\"groupedSingleAppendsPerSecond\":%.0f,\"sqlite\":\"%s\",\"bytesRead\":%ld,"
           "\"synchronous\":\"%s\",\"readPasses\":%d}\n",
           events, batch, append_rate, read_rate, single_rate, grouped_rate, sqlite3_libversion(), bytes,
           synchronous, passes);
    sqlite3_finalize(insert_stream);
    sqlite3_finalize(insert_event);
    sqlite3_finalize(page);
    pthread_mutex_lock(&checkpoint_lock);
    checkpoint_stop = 1;
    pthread_cond_signal(&checkpoint_wanted);
    pthread_mutex_unlock(&checkpoint_lock);
    pthread_join(checkpoint_thread, NULL);
    sqlite3_close(db);
    return 0;
}
