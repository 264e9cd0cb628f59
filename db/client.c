#include "db/client.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "db/conn.h"

#define COPY_CHUNK 32768

struct db {
    PGconn *conn;
    PGcancel *cancel;  /* prepared at connect, so that a signal handler can use it */
    buf_t copy;
    char *copy_line;   /* PQgetCopyData buffer of the last line */
    long copy_rows;
};

/* The cancel objects of the open connections, for db_cancel_in_flight (a report
 * works on three at once). A slot is taken at connect and given back at close;
 * `cancelling` counts handlers at work, so that db_close never frees an object a
 * handler in another thread is still using. */
#define CANCEL_SLOTS 16
static _Atomic(PGcancel *) cancel_slots[CANCEL_SLOTS];
static atomic_int cancelling;

static void cancel_register(PGcancel *c)
{
    for (size_t i = 0; c != NULL && i < CANCEL_SLOTS; i++) {
        PGcancel *expected = NULL;
        if (atomic_compare_exchange_strong(&cancel_slots[i], &expected, c))
            return;
    }
    /* more connections than slots: this one only stops at safe points */
}

static void cancel_unregister(PGcancel *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < CANCEL_SLOTS; i++) {
        PGcancel *expected = c;
        if (atomic_compare_exchange_strong(&cancel_slots[i], &expected, NULL))
            break;
    }
    while (atomic_load(&cancelling) > 0)
        sched_yield();
    PQfreeCancel(c);
}

void db_cancel_in_flight(void)
{
    atomic_fetch_add(&cancelling, 1);
    for (size_t i = 0; i < CANCEL_SLOTS; i++) {
        PGcancel *c = atomic_load(&cancel_slots[i]);
        char errbuf[256]; /* local, as PQcancel requires in a signal handler */
        if (c != NULL)
            (void)PQcancel(c, errbuf, (int)sizeof errbuf);
    }
    atomic_fetch_sub(&cancelling, 1);
}

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_info("server: %s", message);
}

/* One line of the server's message, without libpq's trailing newline. */
static const char *conn_message(PGconn *conn, char *out, size_t cap)
{
    snprintf(out, cap, "%s", conn ? PQerrorMessage(conn) : "out of memory");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r') {
            /* keep only the first line unless it is empty */
            if (p == out)
                continue;
            *p = '\0';
            break;
        }
    return out;
}

/* True when the connection string may carry a password: the keyword (also as a
 * URI query parameter), or a URI with user information ("user:secret@host"). */
static bool may_hold_password(const char *conninfo)
{
    if (strstr(conninfo, "password") != NULL)
        return true;
    if (strncmp(conninfo, "postgresql://", 13) == 0 || strncmp(conninfo, "postgres://", 11) == 0)
        return strchr(conninfo, '@') != NULL;
    return false;
}

/* libpq's parse errors quote pieces of the connection string ("invalid
 * percent-encoded token: "secret%zz"", or a whole URI), and those pieces can be a
 * password or part of one: each quoted piece longer than the one character libpq
 * names as missing ("=", "]") is replaced by "...". */
static void elide_quoted(char *msg, size_t cap)
{
    char out[512];
    size_t w = 0;
    for (const char *r = msg; *r && w + 6 < sizeof out;) {
        const char *close = *r == '"' ? strchr(r + 1, '"') : NULL;
        if (close == NULL) {
            out[w++] = *r++;
            continue;
        }
        if (close - r <= 2) { /* "" or "=": kept as it is */
            memcpy(out + w, r, (size_t)(close - r) + 1);
            w += (size_t)(close - r) + 1;
        } else {
            memcpy(out + w, "\"...\"", 5);
            w += 5;
        }
        r = close + 1;
    }
    out[w] = '\0';
    snprintf(msg, cap, "%s", out);
}

/* Replaces every occurrence of secret in msg by "***" (never longer, so in place;
 * the search resumes after the stars). libpq does not quote a password it has
 * parsed, so this is a second line of defence; passwords under 4 characters are
 * left alone, since blanking every "s" would only garble the message. */
static void redact(char *msg, const char *secret)
{
    size_t n = strlen(secret);
    if (n < 4)
        return;
    char *hit;
    for (char *from = msg; (hit = strstr(from, secret)) != NULL;) {
        memset(hit, '*', 3);
        memmove(hit + 3, hit + n, strlen(hit + n) + 1);
        from = hit + 3;
    }
}

/* The password the connection string sets, for redaction; NULL if none or the
 * string does not parse (then the caller elides quoted text instead). */
static char *conninfo_password(const char *conninfo, bool *parsed)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    PQfreemem(errmsg);
    *parsed = opts != NULL;
    char *password = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            password = strdup(o->val);
    PQconninfoFree(opts);
    return password;
}

/* libpq ignores sslmode on Unix-domain sockets; a user who asked for encryption
 * must hear that they did not get it rather than talk in clear text. */
static bool ssl_required_but_missing(PGconn *conn, char *mode, size_t cap)
{
    bool required = false;
    PQconninfoOption *opts = PQconninfo(conn);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "sslmode") == 0 && o->val &&
            (strcmp(o->val, "require") == 0 || strcmp(o->val, "verify-ca") == 0 ||
             strcmp(o->val, "verify-full") == 0)) {
            snprintf(mode, cap, "%s", o->val);
            required = true;
        }
    PQconninfoFree(opts);
    return required && !PQsslInUse(conn);
}

/* The settings every connection gets. search_path leaves out public and "$user": no object
 * can be shadowed. jit off: recon's statements are planned as large (their estimates count the
 * whole book) but run briefly on a quiet night, and compiling them took 0.1 s each. */
#define FIXED_KEYS "fallback_application_name", "client_encoding", "options"
#define FIXED_VALS "recon", "UTF8", "-c search_path=recon,pg_catalog -c jit=off"
#define FIXED_COUNT 3

/* A connection made: refused when it lacks the encryption asked for, else owned by *out. */
static recon_status adopt(PGconn *conn, db_t **out, err_t *err)
{
    char mode[16];
    if (ssl_required_but_missing(conn, mode, sizeof mode)) {
        const char *host = PQhost(conn);
        char where[256];
        snprintf(where, sizeof where, "%s", host && *host ? host : "the local socket");
        PQfinish(conn);
        return err_set(err, RECON_EUNAVAIL,
                       "database unavailable: sslmode=%s but the connection to %s is not "
                       "encrypted (a Unix-domain socket never is); hint: connect over TCP "
                       "(host=NAME) to a server with SSL, or drop sslmode",
                       mode, where);
    }
    PQsetNoticeProcessor(conn, notice_to_log, NULL);
    db_t *db = calloc(1, sizeof *db);
    if (db == NULL) {
        PQfinish(conn);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    db->conn = conn;
    db->cancel = PQgetCancel(conn);
    cancel_register(db->cancel);
    *out = db;
    return RECON_OK;
}

recon_status db_connect(const char *conninfo, db_t **out, err_t *err)
{
    *out = NULL;
    const char *keys[] = {"dbname", FIXED_KEYS, NULL};
    const char *vals[] = {conninfo, FIXED_VALS, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        conn_message(conn, msg, sizeof msg);
        PQfinish(conn);
        /* The message goes to stderr and job logs: never the password. */
        bool parsed = false;
        char *password = conninfo_password(conninfo, &parsed);
        if (password) {
            redact(msg, password);
            free(password);
        }
        if (!parsed && may_hold_password(conninfo))
            elide_quoted(msg, sizeof msg);
        return err_set(err, RECON_EUNAVAIL, "database unavailable: %s", msg);
    }
    return adopt(conn, out, err);
}

static bool is_fixed_key(const char *keyword)
{
    static const char *const fixed[] = {FIXED_KEYS};
    for (size_t i = 0; i < FIXED_COUNT; i++)
        if (strcmp(keyword, fixed[i]) == 0)
            return true;
    return false;
}

recon_status db_clone(db_t *db, db_t **out, err_t *err)
{
    *out = NULL;
    PQconninfoOption *opts = PQconninfo(db->conn);
    if (opts == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        n++;
    const char **keys = calloc(n + FIXED_COUNT + 1, sizeof *keys);
    const char **vals = calloc(n + FIXED_COUNT + 1, sizeof *vals);
    recon_status st = RECON_OK;
    if (keys == NULL || vals == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    /* Each value as libpq holds it, as a value (dbname is not expanded again): nothing is
     * quoted or parsed on the way. D marks options for debugging only. */
    size_t k = 0;
    const char *password = NULL;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0' || o->dispchar[0] == 'D' ||
            is_fixed_key(o->keyword))
            continue;
        if (strcmp(o->keyword, "password") == 0)
            password = o->val;
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    const char *fixed_keys[] = {FIXED_KEYS}, *fixed_vals[] = {FIXED_VALS};
    for (size_t i = 0; i < FIXED_COUNT; i++) {
        keys[k] = fixed_keys[i];
        vals[k++] = fixed_vals[i];
    }
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        conn_message(conn, msg, sizeof msg);
        PQfinish(conn);
        if (password != NULL)
            redact(msg, password);
        st = err_set(err, RECON_EUNAVAIL, "database unavailable: %s", msg);
        goto out;
    }
    st = adopt(conn, out, err);
out:
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (o->val != NULL && strcmp(o->keyword, "password") == 0)
            memset(o->val, 0, strlen(o->val)); /* freed memory keeps no password */
    PQconninfoFree(opts);
    free(keys);
    free(vals);
    return st;
}

void db_close(db_t *db)
{
    if (db == NULL)
        return;
    if (db->copy_line)
        PQfreemem(db->copy_line);
    cancel_unregister(db->cancel);
    PQfinish(db->conn);
    buf_free(&db->copy);
    free(db);
}

PGconn *db_pgconn(db_t *db) { return db->conn; }

/* Lost connections are "unavailable" (69) so schedulers retry; the rest is a bug
 * or a constraint the data broke. */
static recon_status result_error(db_t *db, PGresult *res, const char *sql, err_t *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[512];
    if (primary == NULL)
        primary = conn_message(db->conn, msg, sizeof msg);
    recon_status st = RECON_EINTERNAL;
    if (PQstatus(db->conn) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0) ||
        (state && strncmp(state, "57P", 3) == 0))
        st = RECON_EUNAVAIL;
    else if (state && strncmp(state, "23", 2) == 0)
        st = RECON_EDATA;
    /* 57014: the statement was cancelled, by the signal handler's cancel. */
    if (state && strcmp(state, "57014") == 0 && interrupt_signal() != 0) {
        PQclear(res);
        return interrupt_check(err);
    }
    /* Name the statement by its first line: enough to find it, never the values. */
    char first[96];
    snprintf(first, sizeof first, "%s", sql);
    char *nl = strchr(first, '\n');
    if (nl)
        *nl = '\0';
    err_set(err, st, "database error%s%s: %s (sql: %s)", state ? " " : "", state ? state : "",
            primary, first);
    PQclear(res);
    return st;
}

recon_status db_exec(db_t *db, const char *sql, err_t *err)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        return result_error(db, res, sql, err);
    PQclear(res);
    return RECON_OK;
}

recon_status db_command(db_t *db, const char *sql, int nparams, const char *const *params,
                        long *affected, err_t *err)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        return result_error(db, res, sql, err);
    if (affected) {
        const char *n = PQcmdTuples(res);
        *affected = *n ? strtol(n, NULL, 10) : 0;
    }
    PQclear(res);
    return RECON_OK;
}

recon_status db_query(db_t *db, const char *sql, int nparams, const char *const *params,
                      int columns, PGresult **out, err_t *err)
{
    *out = NULL;
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return result_error(db, res, sql, err);
    if (PQnfields(res) != columns) {
        int got = PQnfields(res);
        PQclear(res);
        return err_set(err, RECON_EINTERNAL,
                       "unexpected result shape: %d columns, expected %d (sql: %.60s)", got,
                       columns, sql);
    }
    *out = res;
    return RECON_OK;
}

recon_status db_query_each(db_t *db, const char *sql, int nparams, const char *const *params,
                           int columns, db_row_fn fn, void *ctx, int *rows, err_t *err)
{
    if (rows != NULL)
        *rows = 0;
    if (columns < 0 || columns > DB_ROW_MAX_COLUMNS)
        return err_set(err, RECON_EINTERNAL, "%d columns: more than a row holds (sql: %.60s)",
                       columns, sql);
    PGresult *res = NULL;
    recon_status st = db_query(db, sql, nparams, params, columns, &res, err);
    if (st != RECON_OK)
        return st;
    int n = PQntuples(res);
    if (rows != NULL)
        *rows = n;
    for (int i = 0; i < n && st == RECON_OK; i++) {
        const char *values[DB_ROW_MAX_COLUMNS];
        for (int c = 0; c < columns; c++)
            values[c] = PQgetvalue(res, i, c);
        st = fn(ctx, values, err);
    }
    PQclear(res);
    return st;
}

recon_status db_query_text(db_t *db, const char *sql, int nparams, const char *const *params,
                           char *out, size_t cap, bool *isnull, err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db, sql, nparams, params, 1, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) != 1) {
        int rows = PQntuples(res);
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "unexpected result shape: %d rows, expected 1 "
                       "(sql: %.60s)", rows, sql);
    }
    bool null = PQgetisnull(res, 0, 0);
    const char *v = PQgetvalue(res, 0, 0);
    size_t len = strlen(v);
    if (isnull != NULL)
        *isnull = null;
    if ((null && isnull == NULL) || len >= cap)
        st = err_set(err, RECON_EINTERNAL, "unexpected value %s (sql: %.60s)",
                     null ? "NULL" : "too long", sql);
    else
        memcpy(out, v, len + 1);
    PQclear(res);
    return st;
}

recon_status db_query_int(db_t *db, const char *sql, int nparams, const char *const *params,
                          long long *out, err_t *err)
{
    char text[32];
    *out = 0;
    recon_status st = db_query_text(db, sql, nparams, params, text, sizeof text, NULL, err);
    if (st != RECON_OK)
        return st;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return err_set(err, RECON_EINTERNAL, "unexpected value '%s', expected an integer "
                       "(sql: %.60s)", text, sql);
    *out = v;
    return RECON_OK;
}

recon_status db_query_bool(db_t *db, const char *sql, int nparams, const char *const *params,
                           bool *out, err_t *err)
{
    char text[8];
    *out = false;
    recon_status st = db_query_text(db, sql, nparams, params, text, sizeof text, NULL, err);
    if (st != RECON_OK)
        return st;
    if (strcmp(text, "t") != 0 && strcmp(text, "f") != 0)
        return err_set(err, RECON_EINTERNAL, "unexpected value '%s', expected a boolean "
                       "(sql: %.60s)", text, sql);
    *out = text[0] == 't';
    return RECON_OK;
}

/* Starting a transaction is a safe point: nothing of the new step exists yet. */
recon_status db_begin(db_t *db, err_t *err)
{
    recon_status st = interrupt_check(err);
    return st != RECON_OK ? st : db_exec(db, "BEGIN", err);
}

recon_status db_commit(db_t *db, err_t *err) { return db_exec(db, "COMMIT", err); }

recon_status db_end(db_t *db, recon_status st, err_t *err)
{
    if (st == RECON_OK)
        st = db_commit(db, err);
    if (st != RECON_OK)
        db_rollback(db);
    return st;
}

/* Ends a command still in progress (a COPY an error path left open), so that the
 * connection takes the next one: COPY FROM STDIN is ended with an error, COPY TO
 * STDOUT is cancelled and its remaining rows discarded. */
static void end_command(db_t *db)
{
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(res);
        PQclear(res);
        if (s == PGRES_COPY_IN) {
            if (PQputCopyEnd(db->conn, "abandoned by recon") != 1)
                return;
        } else if (s == PGRES_COPY_OUT) {
            char errbuf[256];
            if (db->cancel)
                (void)PQcancel(db->cancel, errbuf, (int)sizeof errbuf);
            char *data = NULL;
            int n;
            while ((n = PQgetCopyData(db->conn, &data, 0)) > 0)
                PQfreemem(data);
            if (n == -2)
                return;
        }
    }
}

void db_rollback(db_t *db)
{
    if (PQstatus(db->conn) != CONNECTION_OK)
        return;
    if (PQtransactionStatus(db->conn) == PQTRANS_ACTIVE)
        end_command(db);
    /* A cancel sent by a signal handler may land on the ROLLBACK itself and
     * refuse it; a second one then finds no cancel pending. */
    for (int i = 0; i < 3; i++) {
        PGresult *res = PQexec(db->conn, "ROLLBACK");
        PQclear(res);
        PGTransactionStatusType t = PQtransactionStatus(db->conn);
        if (t != PQTRANS_INTRANS && t != PQTRANS_INERROR)
            break;
    }
}

recon_status db_copy_in_begin(db_t *db, const char *sql, err_t *err)
{
    PGresult *res = PQexec(db->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN)
        return result_error(db, res, sql, err);
    PQclear(res);
    buf_reset(&db->copy);
    db->copy_rows = 0;
    return RECON_OK;
}

buf_t *db_copy_buffer(db_t *db) { return &db->copy; }

recon_status db_copy_in_flush(db_t *db, bool force, err_t *err)
{
    /* Between two chunks is a safe point: the COPY is ended with an error, so the
     * server discards what it received and the caller rolls back. */
    if (interrupt_signal() != 0) {
        if (PQputCopyEnd(db->conn, "interrupted") == 1) {
            PGresult *res;
            while ((res = PQgetResult(db->conn)) != NULL)
                PQclear(res);
        }
        return interrupt_check(err);
    }
    if (db->copy.len == 0 || (!force && db->copy.len < COPY_CHUNK))
        return RECON_OK;
    if (db->copy.len > (size_t)0x7fffffff)
        return err_set(err, RECON_EINTERNAL, "copy buffer too large");
    if (PQputCopyData(db->conn, db->copy.data, (int)db->copy.len) != 1) {
        char msg[512];
        return err_set(err, RECON_EUNAVAIL, "database error during copy: %s",
                       conn_message(db->conn, msg, sizeof msg));
    }
    buf_reset(&db->copy);
    return RECON_OK;
}

recon_status db_copy_in_end(db_t *db, long *rows, err_t *err)
{
    recon_status st = db_copy_in_flush(db, true, err);
    if (st != RECON_OK)
        return st;
    if (PQputCopyEnd(db->conn, NULL) != 1) {
        char msg[512];
        return err_set(err, RECON_EUNAVAIL, "database error ending copy: %s",
                       conn_message(db->conn, msg, sizeof msg));
    }
    PGresult *res;
    st = RECON_OK;
    /* Drain every result so the connection is ready for the next command. */
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (st == RECON_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
            st = result_error(db, res, "COPY FROM STDIN", err);
            continue;
        }
        if (rows) {
            const char *n = PQcmdTuples(res);
            *rows = *n ? strtol(n, NULL, 10) : 0;
        }
        PQclear(res);
    }
    return st;
}

bool db_copy_field(buf_t *b, const char *value, bool last)
{
    const char *p = value;
    const char *run = p;
    for (; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        if (!buf_append(b, run, (size_t)(p - run)) || !buf_append_str(b, esc))
            return false;
        run = p + 1;
    }
    if (!buf_append(b, run, (size_t)(p - run)))
        return false;
    return buf_append_char(b, last ? '\n' : '\t');
}

bool db_copy_null(buf_t *b, bool last)
{
    return buf_append_str(b, "\\N") && buf_append_char(b, last ? '\n' : '\t');
}

bool db_copy_date(buf_t *b, date_t d, bool last)
{
    char s[DATE_STR_SIZE];
    if (d == DATE_NONE)
        return db_copy_null(b, last);
    date_format(d, s);
    return db_copy_field(b, s, last);
}

bool db_copy_int(buf_t *b, long long v, bool last)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", v);
    return db_copy_field(b, s, last);
}

bool db_copy_split(char *line, char **fields, size_t n)
{
    size_t i = 0;
    fields[i++] = line;
    for (char *p = line; *p; p++)
        if (*p == '\t') {
            if (i == n)
                return false;
            *p = '\0';
            fields[i++] = p + 1;
        }
    if (i != n)
        return false;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(fields[k], "\\N") == 0) {
            fields[k][0] = '\0';
            continue;
        }
        char *w = fields[k];
        for (char *r = fields[k]; *r; r++) {
            if (*r == '\\' && r[1]) {
                r++;
                *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
            } else {
                *w++ = *r;
            }
        }
        *w = '\0';
    }
    return true;
}

recon_status db_copy_out_begin(db_t *db, const char *sql, err_t *err)
{
    recon_status st = db_copy_out_send(db, sql, err);
    return st == RECON_OK ? db_copy_out_started(db, sql, err) : st;
}

recon_status db_copy_out_send(db_t *db, const char *sql, err_t *err)
{
    if (!PQsendQuery(db->conn, sql))
        return result_error(db, NULL, sql, err);
    return RECON_OK;
}

recon_status db_copy_out_started(db_t *db, const char *sql, err_t *err)
{
    PGresult *res = PQgetResult(db->conn);
    if (PQresultStatus(res) == PGRES_COPY_OUT) {
        PQclear(res);
        return RECON_OK;
    }
    recon_status st = result_error(db, res, sql, err);
    /* what follows a failed statement, so the connection is usable again */
    while ((res = PQgetResult(db->conn)) != NULL)
        PQclear(res);
    return st;
}

recon_status db_copy_out_next(db_t *db, const char **line, size_t *len, err_t *err)
{
    if (db->copy_line) {
        PQfreemem(db->copy_line);
        db->copy_line = NULL;
    }
    *line = NULL;
    *len = 0;
    /* Between two rows is a safe point: the rest of the COPY is cancelled and
     * discarded, which leaves the connection ready for the rollback. */
    if (interrupt_signal() != 0) {
        if (PQtransactionStatus(db->conn) == PQTRANS_ACTIVE)
            end_command(db);
        return interrupt_check(err);
    }
    char *data = NULL;
    int n = PQgetCopyData(db->conn, &data, 0);
    if (n > 0) {
        db->copy_line = data;
        /* strip the row terminator */
        if (data[n - 1] == '\n')
            data[--n] = '\0';
        *line = data;
        *len = (size_t)n;
        return RECON_OK;
    }
    recon_status st = RECON_OK;
    if (n == -2) {
        char msg[512];
        st = err_set(err, RECON_EUNAVAIL, "database error during copy out: %s",
                     conn_message(db->conn, msg, sizeof msg));
    }
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (st == RECON_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
            st = result_error(db, res, "COPY TO STDOUT", err);
            continue;
        }
        PQclear(res);
    }
    return st;
}

recon_status db_try_lock(db_t *db, long long key, bool *got, err_t *err)
{
    char keytext[32];
    snprintf(keytext, sizeof keytext, "%lld", key);
    const char *params[] = {keytext};
    return db_query_bool(db, "SELECT pg_try_advisory_lock($1::bigint)", 1, params, got, err);
}

recon_status db_copy_out_each(db_t *db, db_copy_row_fn each, void *ctx, err_t *err)
{
    recon_status st = RECON_OK;
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        recon_status rs = db_copy_out_next(db, &line, &len, st == RECON_OK ? err : NULL);
        if (rs != RECON_OK)
            return st == RECON_OK ? rs : st;
        if (line == NULL)
            return st;
        if (st == RECON_OK)
            st = each(ctx, (char *)line, len, err);
    }
}
