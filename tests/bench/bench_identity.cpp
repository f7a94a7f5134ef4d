// SPDX-License-Identifier: Apache-2.0
// The cost of one password check at the default scrypt parameters (issue: operators): what a
// login, an e-signature and every attacker's guess pay. Median of several checks.
#include "identity/passwordhash.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <vector>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? QByteArray(argv[1]).toInt() : 7;
    using twinspect::identity::PasswordHash;
    QElapsedTimer t;
    t.start();
    const QString stored = PasswordHash::hash(QStringLiteral("Bench-Password-2026")).value();
    const double hashMs = double(t.nsecsElapsed()) / 1e6;
    std::vector<double> checks;
    for (int i = 0; i < runs; ++i) {
        t.restart();
        if (!PasswordHash::verify(QStringLiteral("Bench-Password-2026"), stored))
            return 1;
        checks.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(checks.begin(), checks.end());
    double peakMiB = -1;
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                peakMiB = line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
        }
    }
    std::printf("{\"parameters\":\"%s\",\"hash_ms\":%.0f,\"check_median_ms\":%.0f,\"check_min_ms\":%.0f,"
                "\"check_max_ms\":%.0f,\"peak_rss_mib\":%.0f}\n",
                qPrintable(stored.section(QLatin1Char('$'), 2, 2)), hashMs, checks[checks.size() / 2], checks.front(),
                checks.back(), peakMiB);
    return 0;
}
