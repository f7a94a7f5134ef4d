// SPDX-License-Identifier: Apache-2.0
#include "telemetry/telemetrysource.h"

#include <QDateTime>

namespace twinspect::telemetry {

QString presenceName(Presence presence)
{
    switch (presence) {
    case Presence::Stopped:
        return QStringLiteral("stopped");
    case Presence::Connecting:
        return QStringLiteral("connecting");
    case Presence::Present:
        return QStringLiteral("present");
    case Presence::Reconnecting:
        return QStringLiteral("reconnecting");
    case Presence::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

QString severityName(Problem::Severity severity)
{
    switch (severity) {
    case Problem::Severity::Info:
        return QStringLiteral("info");
    case Problem::Severity::Warning:
        return QStringLiteral("warning");
    case Problem::Severity::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

TelemetrySource::TelemetrySource(QObject* parent)
    : QObject(parent)
{}

TelemetrySource::~TelemetrySource() = default;

void TelemetrySource::setPresence(Presence presence)
{
    if (presence == m_presence)
        return;
    m_presence = presence;
    Q_EMIT presenceChanged(presence);
}

void TelemetrySource::raiseProblem(Problem problem)
{
    if (problem.timeMs == 0)
        problem.timeMs = QDateTime::currentMSecsSinceEpoch();
    for (Problem& existing : m_problems) {
        if (existing.code == problem.code) {
            const bool same = existing.message == problem.message && existing.severity == problem.severity;
            existing = std::move(problem);
            if (!same)
                Q_EMIT problemsChanged();
            return;
        }
    }
    m_problems.append(std::move(problem));
    Q_EMIT problemsChanged();
}

void TelemetrySource::clearProblem(const QString& code)
{
    if (m_problems.removeIf([&](const Problem& p) { return p.code == code; }) > 0)
        Q_EMIT problemsChanged();
}

void TelemetrySource::clearProblems()
{
    if (m_problems.isEmpty())
        return;
    m_problems.clear();
    Q_EMIT problemsChanged();
}

} // namespace twinspect::telemetry
