// SPDX-License-Identifier: Apache-2.0
#include "alarmlistmodel.h"

#include "alarms/alarmengine.h"

#include <QDateTime>

namespace twinspect::ui {

namespace {

bool listed(const alarms::AlarmStatus& alarm)
{
    // Normal alarms are not news; suppressed ones are, once data came: "no data yet" is not an alarm.
    if (alarm.state == alarms::AlarmState::Normal)
        return false;
    return alarm.state != alarms::AlarmState::Suppressed || alarm.hasData;
}

} // namespace

AlarmListModel::AlarmListModel(const alarms::AlarmEngine* engine, QObject* parent)
    : QAbstractTableModel(parent)
    , m_engine(engine)
{
    connect(engine, &alarms::AlarmEngine::alarmsChanged, this, &AlarmListModel::refresh);
    refresh();
}

void AlarmListModel::refresh()
{
    // A reset per change set: the engine emits once per call, not per sample, and a few hundred
    // rows reset far faster than a frame.
    beginResetModel();
    m_rows.clear();
    for (const alarms::AlarmStatus& alarm : m_engine->alarms()) {
        if (listed(alarm))
            m_rows.append(alarm);
    }
    endResetModel();
}

int AlarmListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AlarmListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const alarms::AlarmStatus* AlarmListModel::alarmAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

QVariant AlarmListModel::data(const QModelIndex& index, int role) const
{
    const alarms::AlarmStatus* alarm = index.isValid() ? alarmAt(index.row()) : nullptr;
    if (!alarm)
        return {};
    if (role == AlarmIdRole)
        return alarm->id;
    if (role == SortRole) {
        switch (index.column()) {
        case Priority:
            return static_cast<int>(alarm->priority);
        case Activated:
            return alarm->activatedAtMs;
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Priority:
        return alarms::priorityName(alarm->priority);
    case Tag:
        return alarm->tag;
    case Kind:
        return alarms::kindName(alarm->kind);
    case State:
        return alarm->stateText();
    case Value:
        return telemetry::valueText(alarm->activationValue);
    case Activated:
        return alarm->activatedAtMs > 0
                   ? QDateTime::fromMSecsSinceEpoch(alarm->activatedAtMs, Qt::UTC).toString(Qt::ISODate)
                   : QString();
    case Message:
        return alarm->message;
    default:
        return {};
    }
}

QVariant AlarmListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Priority:
        return tr("Priority");
    case Tag:
        return tr("Tag");
    case Kind:
        return tr("Alarm");
    case State:
        return tr("State");
    case Value:
        return tr("Value");
    case Activated:
        return tr("Activated (UTC)");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace twinspect::ui
