// SPDX-License-Identifier: Apache-2.0
// Audit log benchmark (issue: the signed audit trail): durable appends one at a time and in
// bursts, p99 latency of one durable append, verify rate on a large log, bytes per entry, and
// the start-up check of an unsealed tail. Driven by tests/bench/run-audit.sh.
#include "audit/auditlog.h"
#include "audit/auditverifier.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <vector>

using namespace twinspect::audit;

namespace {

AuditEvent event(int i)
{
    AuditEvent e;
    e.operatorName = QStringLiteral("engineer%1").arg(i % 13);
    e.role = QStringLiteral("engineer");
    e.session = QStringLiteral("session-%1").arg(i / 1000);
    e.action = QStringLiteral("note");
    e.target = QStringLiteral("PUMP-%1").arg(i % 500);
    e.reason = QStringLiteral("inspection round, value within limits");
    e.details = QJsonObject{{QStringLiteral("value"), i * 0.5}, {QStringLiteral("unit"), QStringLiteral("bar")}};
    return e;
}

AuditLog::Options optionsFor(const QString& path)
{
    AuditLog::Options options;
    options.databasePath = path;
    options.origin = QStringLiteral("twinspect/bench");
    return options;
}

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

/// Child mode: append N entries with sealing held off, report, then wait to be killed.
int childTail(const QString& path, int count)
{
    AuditLog::Options options = optionsFor(path);
    options.sealIntervalMs = 3600000;
    options.heartbeatMs = 3600000;
    AuditLog log(options);
    if (!log.waitOpened(30000) || !log.isWritable())
        return 1;
    for (int i = 0; i < count; ++i)
        log.append(event(i));
    log.waitCommitted(600000);
    std::printf("committed\n");
    std::fflush(stdout);
    for (;;)
        ::pause();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 4 && args.at(1) == QLatin1String("--child-tail"))
        return childTail(args.at(2), args.at(3).toInt());
    const int large = args.size() > 1 ? args.at(1).toInt() : 1000000;
    QTemporaryDir dir;
    QJsonObject result{{QStringLiteral("large_log_entries"), large}};

    // One at a time: append, wait until durable, repeat.
    {
        AuditLog log(optionsFor(dir.filePath(QStringLiteral("single.db"))));
        log.waitOpened(30000);
        std::vector<double> latencies;
        QElapsedTimer total;
        total.start();
        for (int i = 0; i < 3000; ++i) {
            QElapsedTimer t;
            t.start();
            log.append(event(i));
            log.waitCommitted(10000);
            latencies.push_back(ms(t));
        }
        const double seconds = ms(total) / 1000;
        std::sort(latencies.begin(), latencies.end());
        result.insert(QStringLiteral("single_per_s"), 3000 / seconds);
        result.insert(QStringLiteral("single_p50_ms"), latencies[latencies.size() / 2]);
        result.insert(QStringLiteral("single_p99_ms"), latencies[latencies.size() * 99 / 100]);
    }

    // Bursts: the large log, appended as fast as callers can, group-committed and sealed.
    const QString bigPath = dir.filePath(QStringLiteral("large.db"));
    {
        AuditLog log(optionsFor(bigPath));
        log.waitOpened(30000);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < large; ++i)
            log.append(event(i));
        log.waitCommitted(600000);
        result.insert(QStringLiteral("burst_per_s"), large / (ms(t) / 1000));
        log.waitSealed(60000);
    }
    result.insert(QStringLiteral("bytes_per_entry"), double(QFileInfo(bigPath).size()) / (large + 1));

    // Full verification of the large log.
    {
        QElapsedTimer t;
        t.start();
        const VerifyReport report = verifyDatabase(bigPath, {});
        result.insert(QStringLiteral("verify_per_s"), double(report.entries) / (ms(t) / 1000));
        result.insert(QStringLiteral("verify_intact"), report.intact());
        result.insert(QStringLiteral("checkpoints"), double(report.checkpoints));
    }

    // Opening the large log after a clean stop, and after a crash left an unsealed tail.
    {
        QElapsedTimer t;
        t.start();
        AuditLog log(optionsFor(bigPath));
        log.waitOpened(60000);
        result.insert(QStringLiteral("open_sealed_ms"), ms(t));
    }
    {
        const int tail = 50000; // about a second of bursts: the most a crash can leave unsealed
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--child-tail"), bigPath, QString::number(tail)});
        child.waitForReadyRead(600000);
        ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
        child.waitForFinished();
        QElapsedTimer t;
        t.start();
        AuditLog log(optionsFor(bigPath));
        log.waitOpened(60000);
        result.insert(QStringLiteral("open_unsealed_tail_ms"), ms(t));
        result.insert(QStringLiteral("open_unsealed_tail_entries"), tail);
        result.insert(QStringLiteral("reopened_writable"), log.isWritable());
    }
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
