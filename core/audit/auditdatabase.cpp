// SPDX-License-Identifier: Apache-2.0
#include "auditdatabase.h"

#include <QAtomicInt>
#include <QFileInfo>
#include <QUrl>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace twinspect::audit {

namespace {

QAtomicInt g_connectionCounter;

const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, chain BLOB NOT NULL,"
    " time_ms INTEGER NOT NULL, operator TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
    " target TEXT NOT NULL, outcome TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS checkpoints (epoch INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
    " body BLOB NOT NULL, signature BLOB NOT NULL, frontier BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_time ON entries(time_ms)",
    "CREATE INDEX IF NOT EXISTS entries_operator ON entries(operator)",
    "CREATE INDEX IF NOT EXISTS entries_action ON entries(action)",
};

} // namespace

AuditDatabase::AuditDatabase()
    : m_connection(QStringLiteral("twinspect-audit-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
}

AuditDatabase::~AuditDatabase()
{
    close();
}

Error AuditDatabase::sqlError(const QString& what) const
{
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    return Error{QStringLiteral("audit.sql"), QStringLiteral("%1: %2").arg(what, db.lastError().text())};
}

QString AuditDatabase::lastError() const
{
    return QSqlDatabase::database(m_connection, false).lastError().text();
}

Result<bool> AuditDatabase::exec(const QString& sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(sql))
        return Error{QStringLiteral("audit.sql"), QStringLiteral("%1: %2").arg(sql.left(60), query.lastError().text())};
    return true;
}

Result<bool> AuditDatabase::open(const QString& path, Mode mode)
{
    close();
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(path);
    if (mode == Mode::ReadOnly)
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!db.open())
        return Error{QStringLiteral("audit.open"),
                     QStringLiteral("cannot open the audit log %1: %2").arg(path, db.lastError().text())};
    if (mode == Mode::ReadOnly) {
        // A WAL database on a read-only file system cannot create its -shm file; a closed log can
        // still be read as immutable.
        QSqlQuery probe(db);
        if (probe.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_master")))
            return true;
        db.close();
        db.setDatabaseName(QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toString(QUrl::FullyEncoded) +
                           QStringLiteral("?immutable=1"));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
        if (!db.open())
            return Error{QStringLiteral("audit.open"),
                         QStringLiteral("cannot open the audit log %1: %2").arg(path, db.lastError().text())};
        return true;
    }
    // FULL, not NORMAL: with NORMAL a power cut can roll back a commit, which looks exactly like
    // an attacker cutting the tail.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        if (Result<bool> r = exec(QString::fromLatin1(pragma)); !r)
            return r;
    }
    for (const char* statement : kSchema) {
        if (Result<bool> r = exec(QString::fromLatin1(statement)); !r)
            return r;
    }
    for (const char* table : {"meta", "entries", "checkpoints"}) {
        for (const char* op : {"UPDATE", "DELETE"}) {
            const QString sql = QStringLiteral("CREATE TRIGGER IF NOT EXISTS %1_no_%2 BEFORE %3 ON %1 BEGIN "
                                               "SELECT RAISE(ABORT, 'the audit log is append-only'); END")
                                    .arg(QLatin1String(table), QString::fromLatin1(op).toLower(), QLatin1String(op));
            if (Result<bool> r = exec(sql); !r)
                return r;
        }
    }
    return true;
}

void AuditDatabase::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool AuditDatabase::isOpen() const
{
    return QSqlDatabase::contains(m_connection) && QSqlDatabase::database(m_connection, false).isOpen();
}

void AuditDatabase::setMaxPageCount(int pages)
{
    exec(QStringLiteral("PRAGMA max_page_count=%1").arg(pages));
}

std::optional<QByteArray> AuditDatabase::meta(const QString& key) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return query.value(0).toByteArray();
}

Result<bool> AuditDatabase::setMeta(const QList<std::pair<QString, QByteArray>>& values)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot start a transaction"));
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"));
    for (const auto& [key, value] : values) {
        query.addBindValue(key);
        query.addBindValue(value);
        if (!query.exec()) {
            const Error error{QStringLiteral("audit.sql"), query.lastError().text()};
            db.rollback();
            return error;
        }
    }
    if (!db.commit())
        return sqlError(QStringLiteral("cannot commit"));
    return true;
}

Result<bool> AuditDatabase::appendEntries(const QList<EntryRow>& rows)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot start a transaction"));
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO entries (seq, body, chain, time_ms, operator, role, action, target, outcome)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const EntryRow& row : rows) {
        query.bindValue(0, static_cast<qint64>(row.seq));
        query.bindValue(1, row.body);
        query.bindValue(2, row.chain);
        query.bindValue(3, row.timeMs);
        // An empty QString may be null, which SQLite would store as NULL: bind text, never null.
        const auto text = [](const QString& s) { return s.isNull() ? QString(QLatin1String("")) : s; };
        query.bindValue(4, text(row.operatorName));
        query.bindValue(5, text(row.role));
        query.bindValue(6, text(row.action));
        query.bindValue(7, text(row.target));
        query.bindValue(8, text(row.outcome));
        if (!query.exec()) {
            const Error error{QStringLiteral("audit.write"),
                              QStringLiteral("cannot write audit entry %1: %2").arg(row.seq).arg(query.lastError().text())};
            db.rollback();
            return error;
        }
    }
    if (!db.commit()) {
        const Error error = sqlError(QStringLiteral("cannot commit audit entries"));
        db.rollback();
        return error;
    }
    return true;
}

Result<bool> AuditDatabase::appendCheckpoint(const StoredCheckpoint& cp)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("INSERT INTO checkpoints (epoch, size, body, signature, frontier) VALUES (?, ?, ?, ?, ?)"));
    query.addBindValue(static_cast<qint64>(cp.epoch));
    query.addBindValue(static_cast<qint64>(cp.size));
    query.addBindValue(cp.body);
    query.addBindValue(cp.signature);
    query.addBindValue(cp.frontier);
    if (!query.exec())
        return Error{QStringLiteral("audit.write"),
                     QStringLiteral("cannot write checkpoint %1: %2").arg(cp.epoch).arg(query.lastError().text())};
    return true;
}

quint64 AuditDatabase::entryCount() const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM entries")) || !query.next())
        return 0;
    return query.value(0).toULongLong();
}

namespace {
StoredCheckpoint checkpointFrom(const QSqlQuery& query)
{
    return StoredCheckpoint{query.value(0).toULongLong(), query.value(1).toULongLong(), query.value(2).toByteArray(),
                            query.value(3).toByteArray(), query.value(4).toByteArray()};
}
} // namespace

std::optional<StoredCheckpoint> AuditDatabase::lastCheckpoint() const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(QStringLiteral("SELECT epoch, size, body, signature, frontier FROM checkpoints "
                                   "ORDER BY epoch DESC LIMIT 1")) ||
        !query.next())
        return std::nullopt;
    return checkpointFrom(query);
}

QList<StoredCheckpoint> AuditDatabase::checkpoints() const
{
    QList<StoredCheckpoint> list;
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT epoch, size, body, signature, frontier FROM checkpoints ORDER BY epoch")))
        return list;
    while (query.next())
        list.append(checkpointFrom(query));
    return list;
}

namespace {
EntryRow entryFrom(const QSqlQuery& query)
{
    return EntryRow{query.value(0).toULongLong(), query.value(1).toByteArray(), query.value(2).toByteArray(),
                    query.value(3).toLongLong(),  query.value(4).toString(),    query.value(5).toString(),
                    query.value(6).toString(),    query.value(7).toString(),    query.value(8).toString()};
}
constexpr char kEntryColumns[] = "seq, body, chain, time_ms, operator, role, action, target, outcome";
} // namespace

Result<bool> AuditDatabase::forEachEntry(quint64 from, const std::function<bool(const EntryRow&)>& visit) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM entries WHERE seq >= ? ORDER BY seq").arg(QLatin1String(kEntryColumns)));
    query.addBindValue(static_cast<qint64>(from));
    if (!query.exec())
        return Error{QStringLiteral("audit.read"), QStringLiteral("cannot read entries: %1").arg(query.lastError().text())};
    while (query.next()) {
        if (!visit(entryFrom(query)))
            break;
    }
    if (query.lastError().isValid())
        return Error{QStringLiteral("audit.read"), QStringLiteral("reading entries failed: %1").arg(query.lastError().text())};
    return true;
}

Result<bool> AuditDatabase::forEachForVerify(const std::function<bool(const VerifyRow&)>& visit) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.setForwardOnly(true);
    // Checking the text columns inside SQLite avoids converting five strings per row.
    if (!query.exec(QStringLiteral(
            "SELECT seq, body, chain, time_ms,"
            " instr(body, CAST(',\"operator\":\"' || operator || '\",\"role\":\"' || role || '\",' AS BLOB)) > 0 AND"
            " instr(body, CAST(',\"action\":\"' || action || '\",\"target\":\"' || target || '\",\"outcome\":\"' || outcome"
            " || '\",' AS BLOB)) > 0"
            " FROM entries ORDER BY seq")))
        return Error{QStringLiteral("audit.read"), QStringLiteral("cannot read entries: %1").arg(query.lastError().text())};
    while (query.next()) {
        const VerifyRow row{query.value(0).toULongLong(), query.value(1).toByteArray(), query.value(2).toByteArray(),
                            query.value(3).toLongLong(), query.value(4).toBool()};
        if (!visit(row))
            break;
    }
    if (query.lastError().isValid())
        return Error{QStringLiteral("audit.read"), QStringLiteral("reading entries failed: %1").arg(query.lastError().text())};
    return true;
}

std::optional<EntryRow> AuditDatabase::entry(quint64 seq) const
{
    std::optional<EntryRow> found;
    forEachEntry(seq, [&](const EntryRow& row) {
        if (row.seq == seq)
            found = row;
        return false;
    });
    return found;
}

Result<bool> AuditDatabase::forEachMatching(const Filter& filter, const std::function<bool(const EntryRow&)>& visit) const
{
    QStringList where;
    QVariantList values;
    if (filter.sinceMs) {
        where << QStringLiteral("time_ms >= ?");
        values << *filter.sinceMs;
    }
    if (filter.untilMs) {
        where << QStringLiteral("time_ms <= ?");
        values << *filter.untilMs;
    }
    if (!filter.operatorName.isEmpty()) {
        where << QStringLiteral("operator = ?");
        values << filter.operatorName;
    }
    if (!filter.action.isEmpty()) {
        where << QStringLiteral("action = ?");
        values << filter.action;
    }
    if (!filter.target.isEmpty()) {
        where << QStringLiteral("instr(target, ?) > 0"); // a plain substring: no LIKE wildcards
        values << filter.target;
    }
    if (!filter.text.isEmpty()) {
        where << QStringLiteral("instr(CAST(body AS TEXT), ?) > 0");
        values << filter.text;
    }
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM entries%2 ORDER BY seq")
                      .arg(QLatin1String(kEntryColumns),
                           where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "))));
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec())
        return Error{QStringLiteral("audit.read"), QStringLiteral("cannot read entries: %1").arg(query.lastError().text())};
    while (query.next()) {
        if (!visit(entryFrom(query)))
            break;
    }
    return true;
}

} // namespace twinspect::audit
