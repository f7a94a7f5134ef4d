// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>
#include <vector>

namespace twinspect::ui {

/// One audit entry as the auditor panel shows it (parsed from the stored bytes).
struct AuditRow
{
    quint64 seq = 0;
    qint64 timeMs = 0;
    QString time;
    QString operatorName;
    QString role;
    QString action;
    QString target;
    QString outcome;
    QString reason;
    QString details; ///< compact JSON
    QString esignature;
};

/// The log as a table. Rows arrive in seq order from a background loader and are only appended.
class AuditTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Seq, Time, Operator, Role, Action, Target, Outcome, Reason, ColumnCount };
    enum Role { SeqRole = Qt::UserRole + 1, TimeMsRole };

    explicit AuditTableModel(QObject* parent = nullptr);
    ~AuditTableModel() override;

    void clear();
    void appendRows(std::vector<AuditRow> rows);
    const AuditRow& rowAt(int row) const { return m_rows[static_cast<size_t>(row)]; }
    quint64 nextSeq() const { return m_rows.empty() ? 0 : m_rows.back().seq + 1; }
    /// Row of an entry, or -1.
    int rowOfSeq(quint64 seq) const;
    /// Marks the entry a verification found bad (drawn in red); nullopt clears it.
    void setFlaggedSeq(std::optional<quint64> seq);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<AuditRow> m_rows;
    std::optional<quint64> m_flagged;
};

/// The panel's filters: time range, operator, action, asset (target) and free text.
class AuditFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    struct Filter
    {
        std::optional<qint64> sinceMs;
        std::optional<qint64> untilMs;
        QString operatorName; ///< substring, any case
        QString action;       ///< exact
        QString target;       ///< substring, any case
        QString text;         ///< substring of any column or the details
    };
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setFilter(const Filter& filter);
    const Filter& filter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    Filter m_filter;
};

} // namespace twinspect::ui
