// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QJsonObject;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSettings;
class QSortFilterProxyModel;
class QTreeView;

namespace twinspect {
struct Plant;
namespace audit {
class AuditLog;
}
namespace identity {
class SessionManager;
}
struct PlantDiagnostic;
namespace scenes {
class TelemetryOverlay;
class TwinView;
} // namespace scenes
namespace alarms {
class AlarmEngine;
struct AlarmConfig;
} // namespace alarms
namespace telemetry {
class TelemetryHub;
struct BackendSecrets;
struct BackendSettings;
struct SecurityEvent;
} // namespace telemetry
} // namespace twinspect

namespace twinspect::ui {

class AlarmPanel;
class AuditPanel;
class LabelLayer;
class TrendPanel;
class ConnectionsPanel;
class LoginDialog;
class PlantTreeModel;
class ProblemsPanel;
class PropertiesPanel;

/// The workstation window: the 3D twin in the centre, the asset tree, properties and problems
/// in docks, plant and selection in the status bar. Keeps tree, view and properties in step.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `settings` (not owned) keeps window layout and the last plant; app/ decides where it lives.
    explicit MainWindow(QSettings* settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a plant file off the GUI thread; emits plantLoaded or plantLoadFailed. The plant on
    /// screen stays until the new one has loaded, so a broken file loses nothing.
    void openPlant(const QString& path);
    /// The plant shown at start, before anyone logs in: viewing needs no permission, so it is
    /// loaded (and recorded) on behalf of the workstation rather than an operator.
    void openStartupPlant(const QString& path);
    /// Shows an already loaded plant.
    void setPlant(std::shared_ptr<const Plant> plant, const QList<PlantDiagnostic>& diagnostics);
    std::shared_ptr<const Plant> plant() const;

    /// Connects the signed audit log (not owned): operator actions are recorded through it and
    /// refused while it cannot be written (fail closed); adds the auditor's dock.
    void setAuditLog(audit::AuditLog* log, const QString& operatorName, const QString& role);
    /// Records an operator action; false when the log cannot take it (the action must not happen).
    bool recordAction(const QString& action, const QString& target, const QString& outcome = QStringLiteral("success"),
                      const QString& reason = {});
    bool recordAction(const QString& action, const QString& target, const QString& outcome, const QString& reason,
                      const QJsonObject& details);
    AuditPanel* auditPanel() const { return m_auditPanel; }
    /// Connects live telemetry (not owned): values in the properties dock, backends in the
    /// Connections dock, connection and trust events in the audit log, a summary in the status bar.
    void setTelemetry(telemetry::TelemetryHub* hub);
    telemetry::TelemetryHub* telemetry() const { return m_telemetry; }
    QString telemetryStatusText() const;
    ConnectionsPanel* connectionsPanel() const { return m_connections; }
    /// The plant's alarms, evaluated from the tag store (exists once telemetry is connected).
    alarms::AlarmEngine* alarmEngine() const { return m_alarms; }
    /// The alarm list dock (exists once telemetry is connected; View ▸ Alarms, Ctrl+Shift+L).
    AlarmPanel* alarmPanel() const { return m_alarmPanel; }
    /// Opens and raises the alarm list.
    void showAlarms();
    /// "Alarms 1 urgent · 2 high · 0 medium · 0 low — 3 unacknowledged", as the status bar shows it.
    QString alarmStatusText() const;
    /// Operator actions on alarms (mainwindow_alarms.cpp). Each checks the role, asks for one
    /// electronic signature for all `alarmIds`, acts on the engine as the logged-in operator and
    /// writes one audit entry per alarm, also when refused or cancelled. Ids that cannot take
    /// the action (already acknowledged, not shelved, ...) are left out before signing.
    void acknowledgeAlarms(const QStringList& alarmIds);
    /// untilMs: the workstation clock's ms since the epoch. A reason is required.
    void shelveAlarms(const QStringList& alarmIds, qint64 untilMs, const QString& reason);
    void unshelveAlarms(const QStringList& alarmIds);
    /// Asks for a duration and a reason (ShelveDialog), then shelveAlarms().
    void requestShelve(const QStringList& alarmIds);
    /// The alarms of an asset's bound tags, in engine order.
    QStringList assetAlarmIds(const QString& assetId) const;
    /// The 3D view's context menu for an asset, built but not shown (the caller owns it):
    /// acknowledge and shelve its alarms, fly to it, show its properties. Actions have object
    /// names (acknowledgeAssetAlarms, shelveAssetAlarms, unshelveAssetAlarms, editAssetAlarmLimits
    /// (only for roles that may configure alarms), flyToAsset, showAssetProperties) so tests and
    /// other wiring can find them.
    QMenu* assetContextMenu(const QString& assetId, QWidget* parent = nullptr);
    /// Where admins' alarm overrides are kept: alarms.json beside backends.json in the data
    /// folder (docs/alarm-overrides.md); empty until telemetry is connected.
    QString alarmOverridesPath() const;
    /// Why the overrides were not (all) applied at the last configuration, one per line; empty when fine.
    QString alarmOverridesProblem() const { return m_alarmOverridesProblem; }
    /// Opens the alarm limits dialog on an asset's tags (admins; the asset menu's "Edit alarm limits…").
    void editAlarmLimits(const QString& assetId);
    /// Replaces a tag's alarms over the plant file's (nullopt: back to the plant file's): checks
    /// the role and asks for an electronic signature, then writes the overrides file, reconfigures
    /// the engine (alarm states are kept) and records alarm.configure, also when refused.
    void setAlarmOverride(const QString& tag, const std::optional<alarms::AlarmConfig>& config);
    /// The live look of the twin, its labels and the trend dock (exist once telemetry is connected).
    scenes::TelemetryOverlay* overlay() const { return m_overlay; }
    LabelLayer* labelLayer() const { return m_labels; }
    TrendPanel* trendPanel() const { return m_trends; }
    /// Selects the asset and opens the trend dock on it.
    void showTrend(const QString& assetId);
    /// backends.json could not be read: say so where the telemetry summary is.
    void setTelemetryLoadError(const QString& message);
    /// Operators log in through this session (not owned): nothing can be done until someone has,
    /// a lock blocks every command, and critical actions ask for an electronic signature.
    void setSession(identity::SessionManager* session);
    identity::SessionManager* session() const { return m_session; }
    /// Before the session object goes away (shutdown).
    void detachSession();
    QString operatorText() const;
    /// The open login / unlock / password dialog, if any (for tests and keyboard users).
    LoginDialog* loginDialog() const;
    QString auditStatusText() const;

    void selectItem(const QString& id);
    QString selectedItem() const;
    /// Filters the tree; Enter in the search box selects the first match and flies to it.
    void setSearchText(const QString& text);
    QString activateFirstMatch();
    int visibleAssetRows() const;

    scenes::TwinView* twinView() const { return m_view; }
    QWidget* viewWidget() const { return m_viewContainer; }
    QTreeView* assetTree() const { return m_tree; }
    PropertiesPanel* propertiesPanel() const { return m_properties; }
    ProblemsPanel* problemsPanel() const { return m_problems; }
    QString statusText() const;

Q_SIGNALS:
    void plantLoaded(const QString& path);
    void plantLoadFailed(const QString& path, const QString& report);

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createActions();
    void createDocks();
    void restoreLayout();
    void onTreeSelectionChanged();
    void onViewClicked(const QString& id);
    void updateStatus();
    void chooseAndOpenPlant();
    void saveScreenshot();
    void showShortcuts();
    void onSessionState();
    void showSessionDialog();
    void showChangePassword();
    void onTelemetrySecurityEvent(const QString& backendId, const telemetry::SecurityEvent& event);
    void updateTelemetryStatus();
    void configureAlarms();
    void createAlarmDock();
    void createOverlay();
    void refreshOverlayPlant();
    /// The views that follow the selection besides the tree, 3D view and properties.
    void followSelection(const QString& id);
    void updateAlarmStatus();
    void showAssetContextMenu(const QString& assetId, const QPoint& globalPos);
    /// One audit entry per alarm for an action on several.
    void recordAlarmAction(const QString& action, const QStringList& alarmIds, const QString& outcome,
                           const QString& reason, const QJsonObject& extra);
    void applyBackend(const telemetry::BackendSettings& settings, const telemetry::BackendSecrets& secrets, bool isNew);
    void removeBackend(const QString& id);

public:
    /// Asks for an electronic signature for a critical action the role allows, and calls
    /// `proceed` once it is sealed in the audit log.
    void signThen(int permission, const QString& what, const QString& target, std::function<void()> proceed);
    /// As above; `refused` is called instead of `proceed` when the role does not allow it
    /// (outcome "refused"), the signer cancels ("refused") or gives up after a failed attempt
    /// ("failure"), with a reason for the audit log.
    void signThen(int permission, const QString& what, const QString& target, std::function<void()> proceed,
                  std::function<void(const QString& outcome, const QString& reason)> refused);
    /// The account administration dialog (admins).
    void showUsers();

private:
    QSettings* m_settings;
    scenes::TwinView* m_view;
    QWidget* m_viewContainer;
    PlantTreeModel* m_model;
    QSortFilterProxyModel* m_filter;
    QTreeView* m_tree;
    QLineEdit* m_search;
    PropertiesPanel* m_properties;
    ProblemsPanel* m_problems;
    QLabel* m_plantLabel;
    QLabel* m_selectionLabel;
    QLabel* m_problemsLabel;
    QLabel* m_auditLabel;
    audit::AuditLog* m_auditLog = nullptr;
    AuditPanel* m_auditPanel = nullptr;
    QString m_operator;
    QString m_role;
    identity::SessionManager* m_session = nullptr;
    QLabel* m_operatorLabel = nullptr;
    QList<QAction*> m_sessionActions;
    QPointer<LoginDialog> m_loginDialog;
    QProgressBar* m_busy;
    telemetry::TelemetryHub* m_telemetry = nullptr;
    QLabel* m_telemetryLabel = nullptr;
    ConnectionsPanel* m_connections = nullptr;
    alarms::AlarmEngine* m_alarms = nullptr;
    AlarmPanel* m_alarmPanel = nullptr;
    scenes::TelemetryOverlay* m_overlay = nullptr;
    LabelLayer* m_labels = nullptr; ///< owned by the 3D window
    TrendPanel* m_trends = nullptr;
    QAction* m_allLabelsAction = nullptr;
    QLabel* m_alarmLabel = nullptr;
    QString m_alarmStatus; ///< the label's text without markup
    QString m_alarmOverridesProblem;
    std::shared_ptr<const Plant> m_plant;
    QString m_plantPath;
    QHash<QString, QString> m_renderProblems; ///< asset id -> problem found while drawing
    bool m_syncing = false;
};

} // namespace twinspect::ui
