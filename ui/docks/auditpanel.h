// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace twinspect::audit {
class AuditLog;
struct VerifyReport;
} // namespace twinspect::audit

namespace twinspect::ui {

class AuditFilterModel;
class AuditTableModel;

/// The auditor's dock: the log as a filterable, sortable table, a Verify button with progress
/// and a verdict, and export. Reading, verifying and exporting run off the GUI thread.
class AuditPanel : public QWidget
{
    Q_OBJECT
public:
    explicit AuditPanel(QWidget* parent = nullptr);
    ~AuditPanel() override;

    /// The log to show (not owned). Its path is read; new entries are picked up as they commit.
    void setAuditLog(audit::AuditLog* log);
    /// Shows a log file read-only (e.g. a copy handed to an auditor).
    void setLogFile(const QString& path);
    /// Verify and export are critical actions: when a gate is set, it is asked first (permission,
    /// electronic signature) and calls `proceed` only if the action may go ahead.
    using Gate = std::function<void(const QString& action, const QString& target, std::function<void()> proceed)>;
    void setGate(Gate gate) { m_gate = std::move(gate); }
    QString logFile() const { return m_path; }

    void reload();
    void verify();
    void exportTo(const QString& path, bool onlyShown);
    void applyFilters();

    AuditTableModel* model() const { return m_model; }
    AuditFilterModel* filterModel() const { return m_filter; }
    QTableView* table() const { return m_table; }
    QString verdict() const;
    bool isBusy() const { return m_busy; }

    /// For tests and scripting: the filter inputs.
    QLineEdit* operatorFilter() const { return m_operator; }
    QLineEdit* textFilter() const { return m_text; }
    QComboBox* actionFilter() const { return m_action; }

Q_SIGNALS:
    void loaded(int rows);
    void verified(bool intact, const QString& summary);
    void exported(bool ok, const QString& message);
    /// Verify and export are audited actions: the window records them through the log.
    void auditedAction(const QString& action, const QString& target, const QString& outcome, const QString& reason);

private:
    void loadFrom(quint64 seq);
    void showVerdict(const audit::VerifyReport& report);
    void setBusy(bool busy);

    QString m_path;
    audit::AuditLog* m_log = nullptr;
    AuditTableModel* m_model;
    AuditFilterModel* m_filter;
    QTableView* m_table;
    QCheckBox* m_sinceEnabled;
    QDateTimeEdit* m_since;
    QCheckBox* m_untilEnabled;
    QDateTimeEdit* m_until;
    QLineEdit* m_operator;
    QComboBox* m_action;
    QLineEdit* m_target;
    QLineEdit* m_text;
    QPushButton* m_verifyButton;
    QPushButton* m_exportButton;
    QProgressBar* m_progress;
    QLabel* m_verdict;
    std::shared_ptr<std::atomic_bool> m_cancel;
    Gate m_gate;
    bool m_busy = false;
    bool m_loading = false;
    bool m_reloadPending = false;
};

} // namespace twinspect::ui
