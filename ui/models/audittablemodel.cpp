// SPDX-License-Identifier: Apache-2.0
#include "audittablemodel.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace twinspect::ui {

AuditTableModel::AuditTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

AuditTableModel::~AuditTableModel() = default;

void AuditTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_flagged.reset();
    endResetModel();
}

void AuditTableModel::appendRows(std::vector<AuditRow> rows)
{
    if (rows.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(rows.size()) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    endInsertRows();
}

int AuditTableModel::rowOfSeq(quint64 seq) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), seq,
                                     [](const AuditRow& row, quint64 s) { return row.seq < s; });
    return it != m_rows.end() && it->seq == seq ? static_cast<int>(it - m_rows.begin()) : -1;
}

void AuditTableModel::setFlaggedSeq(std::optional<quint64> seq)
{
    const std::optional<quint64> previous = m_flagged;
    m_flagged = seq;
    for (const std::optional<quint64>& s : {previous, seq}) {
        const int row = s ? rowOfSeq(*s) : -1;
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), {Qt::BackgroundRole, Qt::ForegroundRole});
    }
}

int AuditTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AuditTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const AuditRow& r = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Seq:
            return static_cast<qulonglong>(r.seq);
        case Time:
            return r.time;
        case Operator:
            return r.operatorName;
        case Role:
            return r.role;
        case Action:
            return r.action;
        case Target:
            return r.target;
        case Outcome:
            return r.outcome;
        case Reason:
            return r.reason;
        default:
            return {};
        }
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("details: ") + r.details;
        if (!r.esignature.isEmpty())
            tip += QStringLiteral("\nsigned: ") + r.esignature;
        return tip;
    }
    case Qt::BackgroundRole:
        return m_flagged == r.seq ? QVariant(QBrush(QColor(0xc6, 0x28, 0x28))) : QVariant();
    case Qt::ForegroundRole:
        return m_flagged == r.seq ? QVariant(QBrush(Qt::white)) : QVariant();
    case SeqRole:
        return static_cast<qulonglong>(r.seq);
    case TimeMsRole:
        return r.timeMs;
    default:
        return {};
    }
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const titles[] = {"Seq", "Time (UTC)", "Operator", "Role", "Action", "Target", "Outcome", "Reason"};
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

void AuditFilterModel::setFilter(const Filter& filter)
{
    m_filter = filter;
    invalidateFilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& /*sourceParent*/) const
{
    const auto* model = static_cast<const AuditTableModel*>(sourceModel());
    const AuditRow& r = model->rowAt(sourceRow);
    const Filter& f = m_filter;
    if ((f.sinceMs && r.timeMs < *f.sinceMs) || (f.untilMs && r.timeMs > *f.untilMs))
        return false;
    if (!f.operatorName.isEmpty() && !r.operatorName.contains(f.operatorName, Qt::CaseInsensitive))
        return false;
    if (!f.action.isEmpty() && r.action != f.action)
        return false;
    if (!f.target.isEmpty() && !r.target.contains(f.target, Qt::CaseInsensitive))
        return false;
    if (!f.text.isEmpty()) {
        for (const QString* field : {&r.operatorName, &r.role, &r.action, &r.target, &r.outcome, &r.reason, &r.details,
                                     &r.esignature}) {
            if (field->contains(f.text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }
    return true;
}

bool AuditFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (left.column() == AuditTableModel::Seq || left.column() == AuditTableModel::Time)
        return left.data(AuditTableModel::SeqRole).toULongLong() < right.data(AuditTableModel::SeqRole).toULongLong();
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace twinspect::ui
