// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QAction;
class QLabel;
class QMessageBox;
class QPlainTextEdit;
class QProgressBar;
class QTableView;

namespace twinspect::telemetry {
class TelemetryHub;
}

namespace twinspect::ui {

class BackendDialog;
class ConnectionsModel;

/// The Connections dock: the hub's backends with their presence, counters and problems; the selected
/// backend's problems and certificates; Add/Edit/Remove (which only ask: the window signs, saves and
/// audits) and Test (a connection check on a worker thread, audited through auditedAction).
/// Lives in the GUI thread. Keys: Insert add, Return edit, Delete remove, F5 test.
class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    /// hub: not owned; the panel follows its signals and empties if it is destroyed first.
    explicit ConnectionsPanel(telemetry::TelemetryHub* hub, QWidget* parent = nullptr);
    ~ConnectionsPanel() override;

    /// Whether the operator may add, edit and remove backends. Test and Certificate stay available.
    void setCanManage(bool canManage);
    bool canManage() const { return m_canManage; }

    QString selectedId() const;
    void selectBackend(const QString& id);

    /// Open the settings dialog (window-modal, not blocking) and return it, or nullptr when not allowed.
    /// Accepting it emits applyRequested; nothing is saved here.
    BackendDialog* addBackend();
    BackendDialog* editSelected();
    /// Asks for confirmation (the returned box); Yes emits removeRequested. nullptr when not allowed.
    QMessageBox* removeSelected();
    /// Checks the selected backend's saved settings and stored secrets on a worker thread;
    /// testFinished and auditedAction follow. Ignored while a test runs.
    void testSelected();
    /// The server's chain (from the last connection attempt or Test) and the configured client
    /// certificate of the selected backend, in a dialog. nullptr when nothing is selected.
    QDialog* showCertificates();

    bool isTesting() const { return m_testing; }
    /// What the panel shows for the selected backend's last Test: "OK: …" / "REFUSED [code]: …".
    QString testResultText() const;
    /// The selected backend's problems as shown (one per line: time, severity, [code], message).
    QString problemsText() const;
    /// The bearer token and OAuth2 client secret of an HTTPS or WSS backend entered with the request that
    /// applyRequested is delivering (nullopt keep, empty forget, else new). They are set only while the panel
    /// emits applyRequested, so read them in a slot connected directly to it; nullopt (keep) at any other time.
    const std::optional<QString>& requestedToken() const { return m_requestedToken; }
    const std::optional<QString>& requestedClientSecret() const { return m_requestedClientSecret; }
    ConnectionsModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    /// The settings dialog was accepted. password / keyPassphrase: nullopt keep, empty forget, else new.
    /// The token and client secret entered with it: requestedToken() / requestedClientSecret().
    void applyRequested(const twinspect::telemetry::BackendSettings& settings, const std::optional<QString>& password,
                        const std::optional<QString>& keyPassphrase, bool isNew);
    void removeRequested(const QString& id);
    void testFinished(const QString& id, bool ok, const QString& code, const QString& message);
    /// "backend.test", the backend id, "success"/"failure", the verdict code (never a secret).
    void auditedAction(const QString& action, const QString& target, const QString& outcome, const QString& reason);

private:
    QAction* makeAction(const QString& text, const QString& objectName, const QList<QKeySequence>& keys);
    BackendDialog* openDialog(bool isNew);
    void showTestVerdict(const QString& id, const telemetry::ConnectionVerdict& verdict);
    void updateDetails();
    void updateActions();
    void showContextMenu(const QPoint& position);

    QPointer<telemetry::TelemetryHub> m_hub;
    ConnectionsModel* m_model;
    QTableView* m_table;
    QPlainTextEdit* m_problems;
    QProgressBar* m_testBusy;
    QLabel* m_testResult;
    QAction* m_addAction;
    QAction* m_editAction;
    QAction* m_removeAction;
    QAction* m_testAction;
    QAction* m_certificateAction;
    QHash<QString, telemetry::ConnectionVerdict> m_testVerdicts; ///< each backend's last Test, by id
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QString m_testingId;
    QString m_keepSelection;                 ///< the selection before the model reset (a backend added or removed)
    QString m_pendingNewId;                  ///< an added backend, selected once the window has saved it
    std::optional<QString> m_requestedToken; ///< only while applyRequested is emitted
    std::optional<QString> m_requestedClientSecret; ///< only while applyRequested is emitted
    bool m_canManage = true;
    bool m_testing = false;
};

} // namespace twinspect::ui
