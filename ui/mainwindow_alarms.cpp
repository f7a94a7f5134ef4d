// SPDX-License-Identifier: Apache-2.0
// MainWindow's alarm half: the alarm list dock, the alarm counts in the status bar, the 3D view's
// context menu on an asset, acknowledging and shelving as audited operator actions (role check,
// electronic signature, engine, one audit entry per alarm), and admins' alarm overrides.
#include "alarms/alarmengine.h"
#include "alarms/alarmjson.h"
#include "alarms/alarmoverrides.h"
#include "audit/auditentry.h"
#include "audit/auditlog.h"
#include "dialogs/alarmlimitsdialog.h"
#include "dialogs/shelvedialog.h"
#include "docks/alarmpanel.h"
#include "identity/roles.h"
#include "identity/session.h"
#include "mainwindow.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "telemetry/telemetryhub.h"
#include "twinview.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTableView>

#include <functional>

namespace twinspect::ui {

namespace {

/// What the audit entry says about the alarm as it was when the operator acted on it.
QJsonObject alarmDetails(const alarms::AlarmStatus& alarm)
{
    QJsonObject details;
    details.insert(QLatin1String("tag"), alarm.tag);
    details.insert(QLatin1String("priority"), alarms::priorityName(alarm.priority));
    details.insert(QLatin1String("state"), alarms::stateName(alarm.state));
    details.insert(QLatin1String("value"), telemetry::valueText(alarm.lastValue));
    if (alarm.activatedAtMs > 0)
        details.insert(QLatin1String("activatedAt"), audit::isoTime(alarm.activatedAtMs));
    return details;
}

/// The alarm ids as an operator reads them in a signature dialog: all of a few, some of many.
QString idList(const QStringList& ids)
{
    constexpr int shown = 8;
    if (ids.size() <= shown)
        return ids.join(QStringLiteral(", "));
    return QStringList(ids.mid(0, shown)).join(QStringLiteral(", ")) +
           MainWindow::tr(" and %n more", nullptr, static_cast<int>(ids.size() - shown));
}

bool canShelve(const alarms::AlarmStatus& alarm)
{
    return alarm.state != alarms::AlarmState::Normal && alarm.state != alarms::AlarmState::Shelved;
}

/// The plant's alarms with the overrides file applied, and what kept any override out.
struct EffectiveAlarms
{
    alarms::AppliedAlarms applied;
    QStringList problems;
};

EffectiveAlarms effectiveAlarms(const Plant& plant, const QString& overridesPath)
{
    EffectiveAlarms effective;
    Result<alarms::AlarmOverrides> overrides = overridesPath.isEmpty()
                                                   ? Result<alarms::AlarmOverrides>(alarms::AlarmOverrides{})
                                                   : alarms::loadAlarmOverrides(overridesPath);
    if (!overrides) {
        // A broken file loses nothing: it stays as it is, and the plant file's alarms are used.
        effective.applied.configs = alarms::alarmConfigs(plant);
        effective.problems.append(overrides.error().message +
                                  MainWindow::tr(" — the plant file's alarms are used until it is fixed"));
        return effective;
    }
    effective.applied = alarms::applyAlarmOverrides(plant, overrides.value());
    effective.problems = overrides.value().warnings + effective.applied.problems;
    return effective;
}

std::optional<alarms::AlarmConfig> configOf(const QList<alarms::AlarmConfig>& configs, const QString& tag)
{
    for (const alarms::AlarmConfig& config : configs) {
        if (config.tag == tag)
            return config;
    }
    return std::nullopt;
}

QJsonValue jsonOf(const std::optional<alarms::AlarmConfig>& config)
{
    return config ? QJsonValue(alarms::alarmConfigToJson(*config)) : QJsonValue(QJsonValue::Null);
}

/// The distinct alarms among `alarmIds` that can take an action (the rest are left out before
/// anyone is asked to sign).
QStringList alarmsThat(const alarms::AlarmEngine& engine, const QStringList& alarmIds,
                       const std::function<bool(const alarms::AlarmStatus&)>& canTake)
{
    QStringList ids;
    for (const QString& id : alarmIds) {
        const std::optional<alarms::AlarmStatus> alarm = engine.alarm(id);
        if (alarm && canTake(*alarm) && !ids.contains(id))
            ids.append(id);
    }
    return ids;
}

} // namespace

QString MainWindow::alarmOverridesPath() const
{
    const telemetry::TelemetryHub* hub = m_telemetry;
    if (!hub)
        return {};
    // Beside backends.json: the data folder is the hub's, and app/ gives it to the hub only.
    return QFileInfo(hub->settingsPath()).dir().filePath(QStringLiteral("alarms.json"));
}

void MainWindow::configureAlarms()
{
    alarms::AlarmEngine* engine = m_alarms;
    if (!engine)
        return;
    QStringList problems;
    QList<alarms::AlarmConfig> configs;
    if (m_plant) {
        EffectiveAlarms effective = effectiveAlarms(*m_plant, alarmOverridesPath());
        configs = std::move(effective.applied.configs);
        problems = std::move(effective.problems);
    }
    auto configured = engine->configure(configs);
    if (!configured && m_plant) {
        // The overrides are checked as they are read, so this is a plant the engine refuses too.
        problems.append(tr("Alarms not configured: %1").arg(configured.error().message));
        configured = engine->configure(alarms::alarmConfigs(*m_plant));
    }
    if (!configured)
        problems.append(tr("Alarms not configured: %1").arg(configured.error().message));
    m_alarmOverridesProblem = problems.join(QLatin1Char('\n'));
    if (!problems.isEmpty())
        statusBar()->showMessage(problems.size() == 1 ? problems.first()
                                                      : tr("%1 (and %n more alarm configuration problem(s))", nullptr,
                                                           static_cast<int>(problems.size() - 1))
                                                            .arg(problems.first()),
                                 15000);
    if (m_alarmLabel)
        m_alarmLabel->setToolTip(tr("Active alarms per priority; click to open the alarm list") +
                                 (problems.isEmpty() ? QString() : QLatin1Char('\n') + m_alarmOverridesProblem));
    if (m_alarmPanel)
        m_alarmPanel->setPlant(m_plant); // areas and tag -> asset for the alarm list
}

void MainWindow::editAlarmLimits(const QString& assetId)
{
    const Asset* asset = m_plant ? m_plant->asset(assetId) : nullptr;
    if (!asset || !m_alarms)
        return;
    const EffectiveAlarms effective = effectiveAlarms(*m_plant, alarmOverridesPath());
    const QList<alarms::AlarmConfig> fromPlant = alarms::alarmConfigs(*m_plant);
    QList<AlarmLimitsDialog::TagAlarms> tags;
    QStringList seen;
    for (const TagBinding& binding : asset->tags) {
        if (seen.contains(binding.tagId))
            continue;
        seen.append(binding.tagId);
        tags.append({binding.tagId, binding.unit, configOf(effective.applied.configs, binding.tagId),
                     configOf(fromPlant, binding.tagId), effective.applied.overriddenTags.contains(binding.tagId)});
    }
    if (tags.isEmpty()) {
        statusBar()->showMessage(tr("%1 has no tags to alarm on.").arg(assetId), 6000);
        return;
    }
    auto* dialog = new AlarmLimitsDialog(asset->name.isEmpty() ? assetId : asset->name, tags, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->revertRequested())
            setAlarmOverride(dialog->tag(), std::nullopt);
        else if (const std::optional<alarms::AlarmConfig> config = dialog->config())
            setAlarmOverride(dialog->tag(), config);
    });
    dialog->open();
}

void MainWindow::setAlarmOverride(const QString& tag, const std::optional<alarms::AlarmConfig>& config)
{
    const QString path = alarmOverridesPath();
    if (!m_plant || !m_alarms || path.isEmpty())
        return;
    const TagBinding* binding = nullptr;
    for (const Asset& asset : m_plant->assets) {
        for (const TagBinding& b : asset.tags) {
            if (!binding && b.tagId == tag)
                binding = &b;
        }
    }
    if (!binding) {
        statusBar()->showMessage(tr("Tag %1 is not bound in this plant.").arg(tag), 6000);
        return;
    }
    const EffectiveAlarms effective = effectiveAlarms(*m_plant, alarmOverridesPath());
    const std::optional<alarms::AlarmConfig> before = configOf(effective.applied.configs, tag);
    const std::optional<alarms::AlarmConfig> plantFile = configOf(alarms::alarmConfigs(*m_plant), tag);
    std::optional<alarms::AlarmConfig> after = config ? config : plantFile;
    if (config) {
        after->tag = tag;
        after->unit = binding->unit;
        // Not an attempt worth an audit entry: nothing was signed or written.
        if (const QString problem = alarms::configProblem(*after); !problem.isEmpty()) {
            statusBar()->showMessage(tr("Alarms not changed: %1").arg(problem), 8000);
            return;
        }
    } else if (!effective.applied.overriddenTags.contains(tag)) {
        statusBar()->showMessage(tr("The alarms of %1 are the plant file's already.").arg(tag), 6000);
        return;
    }
    const QString siteId = m_plant->siteId;
    QJsonObject details;
    details.insert(QLatin1String("tag"), tag);
    details.insert(QLatin1String("site"), siteId);
    details.insert(QLatin1String("before"), jsonOf(before));
    details.insert(QLatin1String("after"), jsonOf(after));
    details.insert(QLatin1String("revertedToPlantFile"), !config.has_value());
    details.insert(QLatin1String("file"), QDir::toNativeSeparators(path));
    const QString afterText = QString::fromUtf8(QJsonDocument(jsonOf(after).toObject()).toJson(QJsonDocument::Compact));
    // The signer reads exactly what will be in force.
    const QString what =
        config ? tr("Change the alarms of %1 to %2").arg(tag, afterText)
               : tr("Revert the alarms of %1 to the plant file's: %2").arg(tag, after ? afterText : tr("no alarms"));
    signThen(
        int(identity::Permission::ConfigureAlarms), what, tag,
        [this, tag, config, siteId, path, details] {
            if (m_auditLog && !m_auditLog->isWritable()) {
                recordAction(QStringLiteral("alarm.configure"), tag, QStringLiteral("refused"),
                             tr("the audit log cannot be written"), details);
                statusBar()->showMessage(tr("Alarms of %1 not changed: the audit log cannot be written").arg(tag),
                                         8000);
                return;
            }
            const auto stored = alarms::storeAlarmOverride(path, siteId, tag, config);
            if (!stored) {
                recordAction(QStringLiteral("alarm.configure"), tag, QStringLiteral("failure"), stored.error().message,
                             details);
                statusBar()->showMessage(tr("Alarms of %1 not changed: %2").arg(tag, stored.error().message), 10000);
                return;
            }
            configureAlarms(); // alarms that keep their id keep their state
            recordAction(QStringLiteral("alarm.configure"), tag, QStringLiteral("success"), QString(), details);
            statusBar()->showMessage(config ? tr("Alarms of %1 changed").arg(tag)
                                            : tr("Alarms of %1 are the plant file's again").arg(tag),
                                     8000);
        },
        [this, tag, details](const QString& outcome, const QString& reason) {
            recordAction(QStringLiteral("alarm.configure"), tag, outcome, reason, details);
        });
}

void MainWindow::createAlarmDock()
{
    alarms::AlarmEngine* engine = m_alarms;
    if (!engine || m_alarmPanel)
        return;
    m_alarmPanel = new AlarmPanel(engine);
    m_alarmPanel->setPlant(m_plant);
    connect(m_alarmPanel, &AlarmPanel::acknowledgeRequested, this, &MainWindow::acknowledgeAlarms);
    connect(m_alarmPanel, &AlarmPanel::shelveRequested, this, &MainWindow::requestShelve);
    connect(m_alarmPanel, &AlarmPanel::unshelveRequested, this, &MainWindow::unshelveAlarms);
    connect(m_alarmPanel, &AlarmPanel::assetActivated, this, [this](const QString& assetId) {
        selectItem(assetId);
        m_view->flyTo(assetId);
    });
    auto* dock = new QDockWidget(tr("Alarms"), this);
    dock->setObjectName(QStringLiteral("alarmsDock"));
    dock->setWidget(m_alarmPanel);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide(); // View ▸ Alarms, Ctrl+Shift+L, or a click on the alarm counts
    if (m_session)
        m_alarmPanel->setEnabled(m_session->state() == identity::SessionManager::State::Active);
    QAction* toggle = dock->toggleViewAction();
    // Ctrl+Shift+A is the audit log's: L for the alarm list.
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    if (QMenu* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu")))
        view->addAction(toggle);

    m_alarmLabel = new QLabel;
    m_alarmLabel->setObjectName(QStringLiteral("alarmStatus"));
    m_alarmLabel->setTextFormat(Qt::RichText);
    m_alarmLabel->setToolTip(tr("Active alarms per priority; click to open the alarm list") +
                             (m_alarmOverridesProblem.isEmpty() ? QString() : u'\n' + m_alarmOverridesProblem));
    m_alarmLabel->setCursor(Qt::PointingHandCursor);
    m_alarmLabel->installEventFilter(this);
    statusBar()->addPermanentWidget(m_alarmLabel);
    // Counts change only with alarm states, never per sample.
    connect(engine, &alarms::AlarmEngine::alarmsChanged, this, &MainWindow::updateAlarmStatus);
    updateAlarmStatus();
}

void MainWindow::showAlarms()
{
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("alarmsDock"))) {
        dock->show();
        dock->raise();
        if (m_alarmPanel)
            m_alarmPanel->table()->setFocus();
    }
}

void MainWindow::updateAlarmStatus()
{
    const alarms::AlarmEngine* engine = m_alarms;
    if (!engine || !m_alarmLabel)
        return;
    const alarms::AlarmCounts counts = engine->counts();
    QStringList plain;
    QStringList rich;
    for (const alarms::Priority priority :
         {alarms::Priority::Urgent, alarms::Priority::High, alarms::Priority::Medium, alarms::Priority::Low}) {
        const int active = counts[priority].active();
        const QString text = tr("%1 %2").arg(active).arg(alarms::priorityName(priority));
        plain.append(text);
        if (active == 0) {
            rich.append(QStringLiteral("<span style=\"color:gray\">%1</span>").arg(text));
            continue;
        }
        // The overlay's colour as a badge: yellow text on a light status bar would not read.
        const QColor colour = scenes::alarmColor(priority);
        rich.append(QStringLiteral("<span style=\"background-color:%1; color:%2\">&nbsp;%3&nbsp;</span>")
                        .arg(colour.name(),
                             qGray(colour.rgb()) > 128 ? QStringLiteral("black") : QStringLiteral("white"),
                             text.toHtmlEscaped()));
    }
    QString tail = tr(" — %n unacknowledged", nullptr, counts.unacknowledged());
    if (counts.shelved() > 0)
        tail += tr(" · %n shelved", nullptr, counts.shelved());
    // Suppressed by data that cannot be believed; "no data yet" is not news (as in the list).
    int suppressed = 0;
    for (const alarms::AlarmStatus& alarm : engine->alarms())
        suppressed += alarm.state == alarms::AlarmState::Suppressed && alarm.hasData ? 1 : 0;
    if (suppressed > 0)
        tail += tr(" · %n suppressed", nullptr, suppressed);
    m_alarmStatus = tr("Alarms ") + plain.join(QStringLiteral(" · ")) + tail;
    const QString unack =
        counts.unacknowledged() > 0 ? QStringLiteral("<b>%1</b>").arg(tail.toHtmlEscaped()) : tail.toHtmlEscaped();
    m_alarmLabel->setText(tr("Alarms ") + rich.join(QStringLiteral(" · ")) + unack);
}

QString MainWindow::alarmStatusText() const
{
    return m_alarmStatus;
}

void MainWindow::recordAlarmAction(const QString& action, const QStringList& alarmIds, const QString& outcome,
                                   const QString& reason, const QJsonObject& extra)
{
    const alarms::AlarmEngine* engine = m_alarms;
    for (const QString& id : alarmIds) {
        const std::optional<alarms::AlarmStatus> alarm = engine ? engine->alarm(id) : std::nullopt;
        QJsonObject details = alarm ? alarmDetails(*alarm) : QJsonObject();
        for (auto it = extra.begin(); it != extra.end(); ++it)
            details.insert(it.key(), it.value());
        recordAction(action, id, outcome, reason, details);
    }
}

void MainWindow::acknowledgeAlarms(const QStringList& alarmIds)
{
    const alarms::AlarmEngine* engine = m_alarms;
    if (!engine)
        return;
    const QStringList ids =
        alarmsThat(*engine, alarmIds, [](const alarms::AlarmStatus& a) { return a.isUnacknowledged(); });
    if (ids.isEmpty()) {
        statusBar()->showMessage(tr("Nothing to acknowledge: those alarms are acknowledged or not active."), 6000);
        return;
    }
    const QString what = ids.size() == 1
                             ? tr("Acknowledge alarm %1: %2").arg(ids.first(), engine->alarm(ids.first())->message)
                             : tr("Acknowledge %n alarms: %1", nullptr, static_cast<int>(ids.size())).arg(idList(ids));
    signThen(
        int(identity::Permission::AcknowledgeAlarm), what, idList(ids),
        [this, ids] {
            alarms::AlarmEngine* engine = m_alarms;
            const auto user = m_session ? m_session->user() : std::nullopt;
            if (!engine || !user)
                return;
            int acknowledged = 0;
            QStringList problems;
            for (const QString& id : ids) {
                const std::optional<alarms::AlarmStatus> before = engine->alarm(id);
                const QJsonObject details = before ? alarmDetails(*before) : QJsonObject();
                // Fail closed: an acknowledgement the log cannot record does not happen.
                if (m_auditLog && !m_auditLog->isWritable()) {
                    recordAction(QStringLiteral("alarm.acknowledge"), id, QStringLiteral("refused"),
                                 tr("the audit log cannot be written"), details);
                    problems.append(tr("%1: the audit log cannot be written").arg(id));
                    continue;
                }
                const auto done = engine->acknowledge(id, user->name, QDateTime::currentMSecsSinceEpoch());
                recordAction(QStringLiteral("alarm.acknowledge"), id,
                             done ? QStringLiteral("success") : QStringLiteral("refused"),
                             done ? QString() : done.error().message, details);
                if (done)
                    ++acknowledged;
                else
                    problems.append(done.error().message);
            }
            statusBar()->showMessage(problems.isEmpty() ? tr("Acknowledged %n alarm(s)", nullptr, acknowledged)
                                                        : tr("Acknowledged %n alarm(s); not: %1", nullptr, acknowledged)
                                                              .arg(problems.join(QStringLiteral("; "))),
                                     8000);
        },
        [this, ids](const QString& outcome, const QString& reason) {
            recordAlarmAction(QStringLiteral("alarm.acknowledge"), ids, outcome, reason, QJsonObject());
        });
}

void MainWindow::requestShelve(const QStringList& alarmIds)
{
    auto* dialog = new ShelveDialog(idList(alarmIds), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, alarmIds] {
        shelveAlarms(alarmIds, QDateTime::currentMSecsSinceEpoch() + dialog->durationMs(), dialog->reason());
    });
    dialog->open();
}

void MainWindow::shelveAlarms(const QStringList& alarmIds, qint64 untilMs, const QString& reason)
{
    const alarms::AlarmEngine* engine = m_alarms;
    if (!engine)
        return;
    if (reason.trimmed().isEmpty()) {
        // Not an attempt worth an audit entry: nothing was signed or asked of the engine.
        statusBar()->showMessage(tr("Shelving needs a reason."), 6000);
        return;
    }
    const QStringList ids = alarmsThat(*engine, alarmIds, canShelve);
    if (ids.isEmpty()) {
        statusBar()->showMessage(tr("Nothing to shelve: those alarms are normal or shelved already."), 6000);
        return;
    }
    const QString until = QDateTime::fromMSecsSinceEpoch(untilMs, Qt::UTC).toString(Qt::ISODate);
    QJsonObject extra;
    extra.insert(QLatin1String("until"), audit::isoTime(untilMs));
    // Also in the details, so a refused shelve (whose reason field says why it was refused) keeps it.
    extra.insert(QLatin1String("shelveReason"), reason.trimmed());
    const QString what = tr("Shelve %n alarm(s) until %1 UTC: %2 — reason: %3", nullptr, static_cast<int>(ids.size()))
                             .arg(until, idList(ids), reason.trimmed());
    signThen(
        int(identity::Permission::AcknowledgeAlarm), what, idList(ids),
        [this, ids, untilMs, reason, extra] {
            alarms::AlarmEngine* engine = m_alarms;
            const auto user = m_session ? m_session->user() : std::nullopt;
            if (!engine || !user)
                return;
            int shelved = 0;
            QStringList problems;
            for (const QString& id : ids) {
                const std::optional<alarms::AlarmStatus> before = engine->alarm(id);
                QJsonObject details = before ? alarmDetails(*before) : QJsonObject();
                for (auto it = extra.begin(); it != extra.end(); ++it)
                    details.insert(it.key(), it.value());
                if (m_auditLog && !m_auditLog->isWritable()) {
                    recordAction(QStringLiteral("alarm.shelve"), id, QStringLiteral("refused"),
                                 tr("the audit log cannot be written"), details);
                    problems.append(tr("%1: the audit log cannot be written").arg(id));
                    continue;
                }
                const auto done = engine->shelve(id, untilMs, user->name, reason.trimmed());
                recordAction(QStringLiteral("alarm.shelve"), id,
                             done ? QStringLiteral("success") : QStringLiteral("refused"),
                             done ? reason.trimmed() : done.error().message, details);
                if (done)
                    ++shelved;
                else
                    problems.append(done.error().message);
            }
            statusBar()->showMessage(
                problems.isEmpty()
                    ? tr("Shelved %n alarm(s)", nullptr, shelved)
                    : tr("Shelved %n alarm(s); not: %1", nullptr, shelved).arg(problems.join(QStringLiteral("; "))),
                8000);
        },
        [this, ids, extra](const QString& outcome, const QString& why) {
            recordAlarmAction(QStringLiteral("alarm.shelve"), ids, outcome, why, extra);
        });
}

void MainWindow::unshelveAlarms(const QStringList& alarmIds)
{
    const alarms::AlarmEngine* engine = m_alarms;
    if (!engine)
        return;
    const QStringList ids = alarmsThat(
        *engine, alarmIds, [](const alarms::AlarmStatus& a) { return a.state == alarms::AlarmState::Shelved; });
    if (ids.isEmpty()) {
        statusBar()->showMessage(tr("Nothing to unshelve: those alarms are not shelved."), 6000);
        return;
    }
    signThen(
        int(identity::Permission::AcknowledgeAlarm),
        tr("Unshelve %n alarm(s): %1", nullptr, static_cast<int>(ids.size())).arg(idList(ids)), idList(ids),
        [this, ids] {
            alarms::AlarmEngine* engine = m_alarms;
            const auto user = m_session ? m_session->user() : std::nullopt;
            if (!engine || !user)
                return;
            for (const QString& id : ids) {
                const std::optional<alarms::AlarmStatus> before = engine->alarm(id);
                const QJsonObject details = before ? alarmDetails(*before) : QJsonObject();
                if (m_auditLog && !m_auditLog->isWritable()) {
                    recordAction(QStringLiteral("alarm.unshelve"), id, QStringLiteral("refused"),
                                 tr("the audit log cannot be written"), details);
                    continue;
                }
                const auto done = engine->unshelve(id, user->name);
                recordAction(QStringLiteral("alarm.unshelve"), id,
                             done ? QStringLiteral("success") : QStringLiteral("refused"),
                             done ? QString() : done.error().message, details);
            }
        },
        [this, ids](const QString& outcome, const QString& reason) {
            recordAlarmAction(QStringLiteral("alarm.unshelve"), ids, outcome, reason, QJsonObject());
        });
}

QStringList MainWindow::assetAlarmIds(const QString& assetId) const
{
    const alarms::AlarmEngine* engine = m_alarms;
    const Asset* asset = m_plant ? m_plant->asset(assetId) : nullptr;
    if (!engine || !asset)
        return {};
    QStringList ids;
    for (const TagBinding& binding : asset->tags)
        ids += engine->alarmIds(binding.tagId);
    return ids;
}

QMenu* MainWindow::assetContextMenu(const QString& assetId, QWidget* parent)
{
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("assetContextMenu"));
    const Asset* asset = m_plant ? m_plant->asset(assetId) : nullptr;
    const QString name = asset && !asset->name.isEmpty() ? asset->name : assetId;
    QStringList unacknowledged;
    QStringList shelvable;
    QStringList shelved;
    if (const alarms::AlarmEngine* engine = m_alarms) {
        for (const QString& id : assetAlarmIds(assetId)) {
            const std::optional<alarms::AlarmStatus> alarm = engine->alarm(id);
            if (!alarm)
                continue;
            if (alarm->isUnacknowledged())
                unacknowledged.append(id);
            if (canShelve(*alarm))
                shelvable.append(id);
            if (alarm->state == alarms::AlarmState::Shelved)
                shelved.append(id);
        }
    }
    // The alarm actions come first: the menu is most often opened on an asset that is blinking.
    QAction* acknowledge =
        menu->addAction(tr("Acknowledge %n alarm(s) of %1", nullptr, static_cast<int>(unacknowledged.size())).arg(name),
                        this, [this, unacknowledged] { acknowledgeAlarms(unacknowledged); });
    acknowledge->setObjectName(QStringLiteral("acknowledgeAssetAlarms"));
    acknowledge->setEnabled(!unacknowledged.isEmpty());
    QAction* shelve =
        menu->addAction(tr("Shelve alarms of %1…").arg(name), this, [this, shelvable] { requestShelve(shelvable); });
    shelve->setObjectName(QStringLiteral("shelveAssetAlarms"));
    shelve->setEnabled(!shelvable.isEmpty());
    if (!shelved.isEmpty()) {
        QAction* unshelve =
            menu->addAction(tr("Unshelve %n alarm(s) of %1", nullptr, static_cast<int>(shelved.size())).arg(name), this,
                            [this, shelved] { unshelveAlarms(shelved); });
        unshelve->setObjectName(QStringLiteral("unshelveAssetAlarms"));
    }
    // Only for those who may: an action that is always refused is noise in an operator's menu.
    if (m_session && m_session->can(identity::Permission::ConfigureAlarms) && asset && !asset->tags.isEmpty()) {
        QAction* limits =
            menu->addAction(tr("Edit alarm &limits…"), this, [this, assetId] { editAlarmLimits(assetId); });
        limits->setObjectName(QStringLiteral("editAssetAlarmLimits"));
    }
    menu->addSeparator();
    QAction* fly = menu->addAction(tr("&Fly to"), this, [this, assetId] {
        selectItem(assetId);
        m_view->flyTo(assetId);
    });
    fly->setObjectName(QStringLiteral("flyToAsset"));
    QAction* properties = menu->addAction(tr("Show &properties"), this, [this, assetId] {
        selectItem(assetId);
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("propertiesDock"))) {
            dock->show();
            dock->raise();
        }
    });
    properties->setObjectName(QStringLiteral("showAssetProperties"));
    // The views of one asset stay together below the actions on its alarms.
    if (m_trends) {
        QAction* trend = menu->addAction(tr("Show &trend"), this, [this, assetId] { showTrend(assetId); });
        trend->setObjectName(QStringLiteral("showAssetTrend"));
    }
    return menu;
}

void MainWindow::showAssetContextMenu(const QString& assetId, const QPoint& globalPos)
{
    if (assetId.isEmpty() || !m_plant || !m_plant->asset(assetId))
        return; // empty space or a pipe: nothing to act on
    selectItem(assetId);
    QMenu* menu = assetContextMenu(assetId, this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(globalPos);
}

} // namespace twinspect::ui
