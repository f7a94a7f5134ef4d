// SPDX-License-Identifier: Apache-2.0
// The telemetry half of MainWindow: live values into the properties dock, connection and trust
// events into the audit log, and a summary of the backends in the status bar.
#include "mainwindow.h"

#include "docks/propertiespanel.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"

#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>

namespace twinspect::ui {

void MainWindow::setTelemetry(telemetry::TelemetryHub* hub)
{
    m_telemetry = hub;
    m_properties->setTagStore(hub->tagStore());
    m_telemetryLabel = new QLabel;
    m_telemetryLabel->setObjectName(QStringLiteral("telemetryStatus"));
    statusBar()->addPermanentWidget(m_telemetryLabel);
    connect(hub, &telemetry::TelemetryHub::backendsChanged, this, &MainWindow::updateTelemetryStatus);
    connect(hub, &telemetry::TelemetryHub::sourceStateChanged, this, &MainWindow::updateTelemetryStatus);
    connect(hub, &telemetry::TelemetryHub::securityEvent, this, &MainWindow::onTelemetrySecurityEvent);
    updateTelemetryStatus();
}

void MainWindow::onTelemetrySecurityEvent(const QString& backendId, const telemetry::SecurityEvent& event)
{
    // The catalogue names the action; the outcome says what the workstation did about it.
    QString outcome = QStringLiteral("success");
    if (event.code == u"telemetry.connect_refused" || event.code == u"telemetry.untrusted")
        outcome = QStringLiteral("refused");
    else if (event.code == u"telemetry.connect_failed")
        outcome = QStringLiteral("failure");
    QJsonObject details;
    details.insert(QLatin1String("backend"), backendId);
    details.insert(QLatin1String("detail"), event.detail);
    recordAction(event.code, event.subject, outcome, event.reason, details);
    if (event.code == u"telemetry.untrusted")
        statusBar()->showMessage(tr("Untrusted telemetry from %1: %2").arg(event.subject, event.detail), 10000);
}

void MainWindow::updateTelemetryStatus()
{
    telemetry::TelemetryHub* hub = m_telemetry;
    if (!hub || !m_telemetryLabel)
        return;
    int enabled = 0;
    int present = 0;
    int errors = 0;
    QStringList lines;
    for (const telemetry::BackendSettings& b : hub->backends()) {
        if (!b.enabled)
            continue;
        ++enabled;
        const telemetry::TelemetrySource* source = hub->source(b.id);
        const telemetry::Presence presence = source ? source->presence() : telemetry::Presence::Stopped;
        if (presence == telemetry::Presence::Present)
            ++present;
        if (presence == telemetry::Presence::Error)
            ++errors;
        QString line = QStringLiteral("%1: %2").arg(b.name, telemetry::presenceName(presence));
        if (source && !source->problems().isEmpty())
            line += QStringLiteral(" — ") + source->problems().constFirst().message;
        lines.append(line);
    }
    if (enabled == 0) {
        m_telemetryLabel->setText(tr("Telemetry: no backends"));
        m_telemetryLabel->setStyleSheet({});
        m_telemetryLabel->setToolTip(tr("Add a backend in the Connections dock"));
        return;
    }
    m_telemetryLabel->setText(tr("Telemetry: %1/%2 connected").arg(present).arg(enabled));
    m_telemetryLabel->setToolTip(lines.join(u'\n'));
    if (errors > 0)
        m_telemetryLabel->setStyleSheet(QStringLiteral("QLabel { background: #c62828; color: white; padding: 0 6px; }"));
    else if (present < enabled)
        m_telemetryLabel->setStyleSheet(QStringLiteral("QLabel { background: #f9a825; color: black; padding: 0 6px; }"));
    else
        m_telemetryLabel->setStyleSheet({});
}

void MainWindow::setTelemetryLoadError(const QString& message)
{
    if (!m_telemetryLabel)
        return;
    m_telemetryLabel->setText(tr("Telemetry: settings not loaded"));
    m_telemetryLabel->setToolTip(message);
    m_telemetryLabel->setStyleSheet(QStringLiteral("QLabel { background: #c62828; color: white; padding: 0 6px; }"));
    statusBar()->showMessage(tr("Telemetry backends not loaded: %1").arg(message), 15000);
}

QString MainWindow::telemetryStatusText() const
{
    return m_telemetryLabel ? m_telemetryLabel->text() : QString();
}

} // namespace twinspect::ui
