// SPDX-License-Identifier: Apache-2.0
// Child process for tst_auditcrash: appends to the log as fast as it can and prints
// "committed N" each time the writer reports more entries durable. The parent kills it with
// SIGKILL at a random moment.
#include "audit/auditlog.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2)
        return 2;
    twinspect::audit::AuditLog::Options options;
    options.databasePath = QString::fromLocal8Bit(argv[1]);
    options.sealIntervalMs = 50; // many checkpoints, so kills also land inside key rotations
    twinspect::audit::AuditLog log(options);
    if (!log.waitOpened(10000) || !log.isWritable()) {
        std::fprintf(stderr, "cannot open: %s\n", qPrintable(log.problem()));
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    quint64 reported = 0;
    for (int i = 0;; ++i) {
        twinspect::audit::AuditEvent e;
        e.operatorName = QStringLiteral("crash-test");
        e.role = QStringLiteral("script");
        e.action = QStringLiteral("note");
        e.target = QStringLiteral("entry-%1").arg(i);
        if (!log.append(e))
            return 1;
        if (i % 64 == 0) {
            const quint64 committed = log.committedCount();
            if (committed != reported) {
                reported = committed;
                std::printf("committed %llu\n", static_cast<unsigned long long>(committed));
                std::fflush(stdout);
            }
            QThread::usleep(200);
        }
    }
}
