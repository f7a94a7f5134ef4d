// SPDX-License-Identifier: Apache-2.0
#include "alarmlistmodel.h"

#include "alarms/alarmengine.h"
#include "overlaystyle.h"

#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QTimer>

#include <limits>

namespace twinspect::ui {

namespace {

/// ISA-101: colour for what needs attention, by priority (the 3D view's palette); grey for what
/// is over or hidden from annunciation (shelved, suppressed), so the eye goes to the live rows.
QVariant colour(const alarms::AlarmStatus& alarm, bool recent, int column, int role)
{
    const bool annunciated = !recent && (alarm.isActive() || alarm.isUnacknowledged());
    const QColor priority = scenes::alarmColor(alarm.priority);
    if (role == Qt::ForegroundRole) {
        if (column == AlarmListModel::Priority && annunciated)
            return qGray(priority.rgb()) > 128 ? QColor(Qt::black) : QColor(Qt::white);
        return annunciated ? QVariant() : QVariant(QColor(Qt::gray));
    }
    if (!annunciated)
        return {};
    if (column == AlarmListModel::Priority)
        return priority;
    QColor tint = priority;
    tint.setAlpha(48); // the row reads as this priority without drowning the text
    return tint;
}

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
    , m_expiry(new QTimer(this))
{
    m_expiry->setSingleShot(true);
    connect(m_expiry, &QTimer::timeout, this, &AlarmListModel::refresh);
    connect(engine, &alarms::AlarmEngine::alarmsChanged, this, &AlarmListModel::refresh);
    refresh();
}

void AlarmListModel::setRecentWindow(qint64 windowMs, std::function<qint64()> clock)
{
    m_recentWindowMs = std::max<qint64>(0, windowMs);
    m_clock = std::move(clock);
    refresh();
}

qint64 AlarmListModel::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

qint64 AlarmListModel::endedAt(const alarms::AlarmStatus& alarm)
{
    // Over means back to normal after having been raised: the later of its return (source time)
    // and its acknowledgement (workstation time) is when the operator was done with it.
    if (alarm.state != alarms::AlarmState::Normal || alarm.activatedAtMs == 0)
        return 0;
    return std::max(alarm.returnedAtMs, alarm.acknowledgedAtMs);
}

void AlarmListModel::refresh()
{
    // A reset per change set: the engine emits once per call, not per sample, and a few hundred
    // rows reset far faster than a frame.
    beginResetModel();
    m_rows.clear();
    m_recent.clear();
    const qint64 nowMs = m_recentWindowMs > 0 ? now() : 0;
    qint64 nextExpiry = std::numeric_limits<qint64>::max();
    for (const alarms::AlarmStatus& alarm : m_engine->alarms()) {
        if (listed(alarm)) {
            m_rows.append(alarm);
            m_recent.append(false);
            continue;
        }
        const qint64 ended = m_recentWindowMs > 0 ? endedAt(alarm) : 0;
        if (ended > 0 && ended + m_recentWindowMs > nowMs) {
            m_rows.append(alarm);
            m_recent.append(true);
            nextExpiry = std::min(nextExpiry, ended + m_recentWindowMs);
        }
    }
    endResetModel();
    // One timer for the oldest recent row rather than polling: the list changes only when one runs out.
    if (nextExpiry == std::numeric_limits<qint64>::max()) {
        m_expiry->stop();
    } else {
        const qint64 in = std::clamp<qint64>(nextExpiry - nowMs + 1, 0, std::numeric_limits<int>::max());
        m_expiry->start(static_cast<int>(in));
    }
}

bool AlarmListModel::isRecent(int row) const
{
    return row >= 0 && row < m_recent.size() && m_recent.at(row);
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
    const bool recent = isRecent(index.row());
    if (role == RecentRole)
        return recent;
    if (role == Qt::FontRole && alarm->isUnacknowledged()) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::BackgroundRole || role == Qt::ForegroundRole)
        return colour(*alarm, recent, index.column(), role);
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
        return recent ? tr("normal (recent)") : alarm->stateText();
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
