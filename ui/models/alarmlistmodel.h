// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QAbstractTableModel>
#include <QList>

#include <functional>

class QTimer;

namespace twinspect::alarms {
class AlarmEngine;
}

namespace twinspect::ui {

/// The alarm list: every alarm that is not normal (active, returned but unacknowledged, shelved,
/// or suppressed by bad data), one row each, for a table with sorting and filtering through a
/// proxy. Follows the engine's alarmsChanged; never per sample.
///
/// With a recent window, alarms that are over (returned to normal and acknowledged) stay listed
/// for that long as "recent", greyed, so an operator still sees what just happened.
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
        SortRole,
        RecentRole ///< bool: over, listed only because it ended within the recent window
    };

    explicit AlarmListModel(const alarms::AlarmEngine* engine, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The alarm shown in a row.
    const alarms::AlarmStatus* alarmAt(int row) const;
    /// The row is an alarm that is over, kept because it ended within the recent window.
    bool isRecent(int row) const;

    /// How long alarms that are over stay listed (0, the default: not at all). clock: ms since
    /// the epoch (the system clock when empty); recent rows leave the list when their time is up.
    void setRecentWindow(qint64 windowMs, std::function<qint64()> clock = {});
    qint64 recentWindow() const { return m_recentWindowMs; }
    /// Re-reads the engine (also done on alarmsChanged).
    void refresh();

private:
    qint64 now() const;
    /// When an alarm that is over ended (returned and acknowledged), or 0 when it is not over.
    static qint64 endedAt(const alarms::AlarmStatus& alarm);

    const alarms::AlarmEngine* m_engine;
    QList<alarms::AlarmStatus> m_rows;
    QList<bool> m_recent; ///< per row
    qint64 m_recentWindowMs = 0;
    std::function<qint64()> m_clock;
    QTimer* m_expiry; ///< refreshes when the oldest recent row runs out
};

} // namespace twinspect::ui
