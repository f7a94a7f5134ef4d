// SPDX-License-Identifier: Apache-2.0
// Builds real audit logs for tests and gives tests an attacker's raw access to the SQLite file.
#pragma once

#include "audit/auditlog.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QVariant>

namespace twinspect::test {

inline audit::AuditEvent noteEvent(int i)
{
    audit::AuditEvent e;
    e.operatorName = QStringLiteral("operator%1").arg(i % 7);
    e.role = QStringLiteral("engineer");
    e.session = QStringLiteral("s%1").arg(i / 100);
    e.action = QStringLiteral("note");
    e.target = QStringLiteral("asset-%1").arg(i);
    e.reason = QStringLiteral("routine check %1").arg(i);
    e.details = QJsonObject{{QStringLiteral("i"), i}};
    return e;
}

/// Writes `entries` notes in `rounds` sealed rounds (one or more checkpoints each) and closes.
inline bool buildLog(const QString& path, int entries, int rounds)
{
    audit::AuditLog::Options options;
    options.databasePath = path;
    options.origin = QStringLiteral("twinspect/test");
    audit::AuditLog log(options);
    if (!log.waitOpened(10000) || !log.isWritable())
        return false;
    for (int round = 0; round < rounds; ++round) {
        for (int i = round * entries / rounds; i < (round + 1) * entries / rounds; ++i) {
            if (!log.append(noteEvent(i)))
                return false;
        }
        if (!log.waitSealed(10000))
            return false;
    }
    return true;
}

/// Copies a log with its key and enrolment files.
inline bool copyLog(const QString& from, const QString& to)
{
    for (const QString& suffix : {QString(), QStringLiteral(".key"), QStringLiteral(".enrolment.pem")}) {
        QFile::remove(to + suffix);
        if (QFile::exists(from + suffix) && !QFile::copy(from + suffix, to + suffix))
            return false;
    }
    return true;
}

/// Raw SQL on a log, as someone with file access would do it: triggers dropped first.
class Attacker
{
public:
    /// With dropTriggers false it only reads (a test looking, not an attacker).
    explicit Attacker(const QString& path, bool dropTriggers = true)
        : m_name(QStringLiteral("attacker-") + path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
        for (const char* table : {"meta", "entries", "checkpoints"}) {
            if (!dropTriggers)
                break;
            for (const char* op : {"update", "delete"})
                exec(QStringLiteral("DROP TRIGGER IF EXISTS %1_no_%2").arg(QLatin1String(table), QLatin1String(op)));
        }
    }
    ~Attacker()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    bool exec(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (const QVariant& v : values)
            query.addBindValue(v);
        if (!query.exec()) {
            qWarning() << sql << query.lastError().text();
            return false;
        }
        return true;
    }

    QVariant value(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (const QVariant& v : values)
            query.addBindValue(v);
        if (!query.exec() || !query.next())
            return {};
        return query.value(0);
    }

private:
    QString m_name;
};

} // namespace twinspect::test
