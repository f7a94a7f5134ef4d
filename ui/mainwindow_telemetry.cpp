// SPDX-License-Identifier: Apache-2.0
// The telemetry half of MainWindow: live values into the properties dock, connection and trust
// events into the audit log, and a summary of the backends in the status bar.
#include "alarms/alarmengine.h"
#include "docks/alarmpanel.h"
#include "docks/connectionspanel.h"
#include "docks/propertiespanel.h"
#include "identity/roles.h"
#include "identity/session.h"
#include "mainwindow.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"
#include "telemetry/telemetryhub.h"

#include <QAction>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>

namespace twinspect::ui {

void MainWindow::setTelemetry(telemetry::TelemetryHub* hub)
{
    m_telemetry = hub;
    m_properties->setTagStore(hub->tagStore());
    // The plant's alarms follow the tag store (staleness included); a 250 ms tick lets on/off
    // delays and shelves run out between samples.
    m_alarms = new alarms::AlarmEngine({}, this);
    m_alarms->follow(hub->tagStore());
    m_alarms->setTickInterval(250);
    m_properties->setAlarmEngine(m_alarms);
    configureAlarms();
    m_telemetryLabel = new QLabel;
    m_telemetryLabel->setObjectName(QStringLiteral("telemetryStatus"));
    statusBar()->addPermanentWidget(m_telemetryLabel);
    connect(hub, &telemetry::TelemetryHub::backendsChanged, this, &MainWindow::updateTelemetryStatus);
    connect(hub, &telemetry::TelemetryHub::sourceStateChanged, this, &MainWindow::updateTelemetryStatus);
    connect(hub, &telemetry::TelemetryHub::securityEvent, this, &MainWindow::onTelemetrySecurityEvent);
    updateTelemetryStatus();

    m_connections = new ConnectionsPanel(hub);
    m_connections->setCanManage(m_session && m_session->can(identity::Permission::ManageBackends));
    // Direct: the panel's requested token and client secret are only set while applyRequested is emitted.
    connect(
        m_connections, &ConnectionsPanel::applyRequested, this,
        [this](const telemetry::BackendSettings& settings, const std::optional<QString>& password,
               const std::optional<QString>& keyPassphrase, bool isNew) {
            applyBackend(settings,
                         telemetry::BackendSecrets{password, keyPassphrase, m_connections->requestedToken(),
                                                   m_connections->requestedClientSecret()},
                         isNew);
        },
        Qt::DirectConnection);
    connect(m_connections, &ConnectionsPanel::removeRequested, this, &MainWindow::removeBackend);
    connect(m_connections, &ConnectionsPanel::auditedAction, this,
            [this](const QString& action, const QString& target, const QString& outcome, const QString& reason) {
                recordAction(action, target, outcome, reason);
            });
    auto* dock = new QDockWidget(tr("Connections"), this);
    dock->setObjectName(QStringLiteral("connectionsDock"));
    dock->setWidget(m_connections);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide(); // View > Connections, Ctrl+Shift+K, or a click on the telemetry summary
    QAction* toggle = dock->toggleViewAction();
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    if (QMenu* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu")))
        view->addAction(toggle);
    m_telemetryLabel->installEventFilter(this);
    createAlarmDock();
    createOverlay();
    if (m_settings)
        restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
}

namespace {

/// The settings that differ, by name, for the audit record (values are not secret, but the list
/// is what a reviewer needs: "url, tls.caFile").
QStringList changedSettings(const QJsonObject& before, const QJsonObject& after, const QString& prefix = {})
{
    QStringList changed;
    QStringList keys = before.keys() + after.keys();
    keys.removeDuplicates();
    for (const QString& key : std::as_const(keys)) {
        const QJsonValue a = before.value(key);
        const QJsonValue b = after.value(key);
        if (a.isObject() && b.isObject())
            changed += changedSettings(a.toObject(), b.toObject(), prefix + key + u'.');
        else if (a != b)
            changed.append(prefix + key);
    }
    return changed;
}

QJsonObject settingsObject(const telemetry::BackendSettings& settings)
{
    const QJsonDocument doc = QJsonDocument::fromJson(telemetry::serializeBackendSettings({settings}));
    return doc.object().value(QLatin1String("backends")).toArray().at(0).toObject();
}

QString secretChange(const std::optional<QString>& secret)
{
    if (!secret)
        return QStringLiteral("kept");
    return secret->isEmpty() ? QStringLiteral("forgotten") : QStringLiteral("changed");
}

} // namespace

void MainWindow::applyBackend(const telemetry::BackendSettings& settings, const telemetry::BackendSecrets& secrets,
                              bool isNew)
{
    telemetry::TelemetryHub* hub = m_telemetry;
    if (!hub || !m_session) {
        statusBar()->showMessage(tr("Log in to change telemetry backends."), 6000);
        return;
    }
    const QString action = isNew ? QStringLiteral("backend.add") : QStringLiteral("backend.change");
    const QString what = isNew
                             ? tr("Add telemetry backend \"%1\" (%2)").arg(settings.id, settings.url.toDisplayString())
                             : tr("Change telemetry backend \"%1\"").arg(settings.id);
    signThen(int(identity::Permission::ManageBackends), what, settings.id, [this, hub, settings, secrets, action] {
        const std::optional<telemetry::BackendSettings> before = hub->backend(settings.id);
        QJsonObject details;
        details.insert(QLatin1String("changed"),
                       QJsonArray::fromStringList(changedSettings(before ? settingsObject(*before) : QJsonObject(),
                                                                  settingsObject(settings))));
        // Which secrets changed, never their values.
        details.insert(QLatin1String("password"), secretChange(secrets.password));
        details.insert(QLatin1String("keyPassphrase"), secretChange(secrets.keyPassphrase));
        details.insert(QLatin1String("token"), secretChange(secrets.token));
        details.insert(QLatin1String("clientSecret"), secretChange(secrets.clientSecret));
        const auto saved = hub->saveBackend(settings, secrets);
        if (!saved) {
            recordAction(action, settings.id, QStringLiteral("failure"), saved.error().message, details);
            statusBar()->showMessage(tr("Backend not saved: %1").arg(saved.error().message), 10000);
            return;
        }
        recordAction(action, settings.id, QStringLiteral("success"), {}, details);
        statusBar()->showMessage(tr("Backend \"%1\" saved; connecting").arg(settings.id), 6000);
    });
}

void MainWindow::removeBackend(const QString& id)
{
    telemetry::TelemetryHub* hub = m_telemetry;
    if (!hub || !m_session) {
        statusBar()->showMessage(tr("Log in to change telemetry backends."), 6000);
        return;
    }
    signThen(int(identity::Permission::ManageBackends), tr("Remove telemetry backend \"%1\"").arg(id), id,
             [this, hub, id] {
                 const auto removed = hub->removeBackend(id);
                 recordAction(QStringLiteral("backend.remove"), id,
                              removed ? QStringLiteral("success") : QStringLiteral("failure"),
                              removed ? QString() : removed.error().message);
                 if (!removed)
                     statusBar()->showMessage(tr("Backend not removed: %1").arg(removed.error().message), 10000);
             });
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
        m_telemetryLabel->setStyleSheet(
            QStringLiteral("QLabel { background: #c62828; color: white; padding: 0 6px; }"));
    else if (present < enabled)
        m_telemetryLabel->setStyleSheet(
            QStringLiteral("QLabel { background: #f9a825; color: black; padding: 0 6px; }"));
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
