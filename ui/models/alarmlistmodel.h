// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QAbstractTableModel>
#include <QList>

namespace twinspect::alarms {
class AlarmEngine;
}

namespace twinspect::ui {

/// The alarm list: every alarm that is not normal (active, returned but unacknowledged, shelved,
/// or suppressed by bad data), one row each, for a table with sorting and filtering through a
/// proxy. Follows the engine's alarmsChanged; never per sample.
class AlarmListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Priority,
        Tag,
        Kind,
        State,
        Value,
        Activated,
        Message,
        ColumnCount
    };
    enum Role
    {
        AlarmIdRole = Qt::UserRole + 1,
        SortRole
    };

    explicit AlarmListModel(const alarms::AlarmEngine* engine, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The alarm shown in a row.
    const alarms::AlarmStatus* alarmAt(int row) const;
    /// Re-reads the engine (also done on alarmsChanged).
    void refresh();

private:
    const alarms::AlarmEngine* m_engine;
    QList<alarms::AlarmStatus> m_rows;
};

} // namespace twinspect::ui
