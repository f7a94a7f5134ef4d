// SPDX-License-Identifier: Apache-2.0
#include "connectionsmodel.h"

#include "telemetry/backendsettings.h"
#include "telemetry/telemetryhub.h"

#include <QPainter>
#include <QPixmap>
#include <QTimer>

#include <algorithm>

namespace twinspect::ui {

namespace {

using State = ConnectionsModel::State;

State stateOf(telemetry::Presence presence)
{
    switch (presence) {
    case telemetry::Presence::Stopped:
        return State::Stopped;
    case telemetry::Presence::Connecting:
        return State::Connecting;
    case telemetry::Presence::Present:
        return State::Present;
    case telemetry::Presence::Reconnecting:
        return State::Reconnecting;
    case telemetry::Presence::Error:
        return State::Error;
    }
    return State::Error;
}

bool sameCounters(const telemetry::SourceCounters& a, const telemetry::SourceCounters& b)
{
    return a.received == b.received && a.dropped == b.dropped && a.rejected == b.rejected && a.untrusted == b.untrusted;
}

} // namespace

ConnectionsModel::ConnectionsModel(telemetry::TelemetryHub* hub, QObject* parent)
    : QAbstractTableModel(parent)
    , m_hub(hub)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &ConnectionsModel::refreshCounters);
    if (hub) {
        connect(hub, &telemetry::TelemetryHub::backendsChanged, this, &ConnectionsModel::reload);
        connect(hub, &telemetry::TelemetryHub::sourceStateChanged, this, &ConnectionsModel::refreshState);
        // The hub going away (application shutdown) leaves an empty table, not dangling rows.
        connect(hub, &QObject::destroyed, this, [this] {
            beginResetModel();
            m_rows.clear();
            endResetModel();
        });
    }
    reload();
    m_timer->start();
}

ConnectionsModel::~ConnectionsModel() = default;

QString ConnectionsModel::idAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].id : QString();
}

int ConnectionsModel::rowOf(const QString& id) const
{
    const auto it = std::find_if(m_rows.begin(), m_rows.end(), [&](const Row& r) { return r.id == id; });
    return it == m_rows.end() ? -1 : static_cast<int>(it - m_rows.begin());
}

ConnectionsModel::State ConnectionsModel::stateAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].state : State::Stopped;
}

QString ConnectionsModel::stateText(State state)
{
    switch (state) {
    case State::Disabled:
        return tr("Disabled");
    case State::Stopped:
        return tr("Stopped");
    case State::Connecting:
        return tr("Connecting");
    case State::Present:
        return tr("Present");
    case State::Reconnecting:
        return tr("Reconnecting");
    case State::Error:
        return tr("Error");
    }
    return tr("Error");
}

QColor ConnectionsModel::stateColor(State state)
{
    switch (state) {
    case State::Present:
        return {0x2e, 0x7d, 0x32};
    case State::Connecting:
    case State::Reconnecting:
        return {0xf9, 0xa8, 0x25};
    case State::Error:
        return {0xc6, 0x28, 0x28};
    case State::Disabled:
    case State::Stopped:
        return {0x9e, 0x9e, 0x9e};
    }
    return {0x9e, 0x9e, 0x9e};
}

void ConnectionsModel::setRefreshInterval(int ms)
{
    m_timer->setInterval(ms);
}

ConnectionsModel::Row ConnectionsModel::rowFor(const telemetry::BackendSettings& settings) const
{
    Row row;
    row.id = settings.id;
    row.name = settings.name.isEmpty() ? settings.id : settings.name;
    row.url = settings.url.toDisplayString();
    row.state = settings.enabled ? State::Stopped : State::Disabled;
    telemetry::TelemetryHub* hub = m_hub.data();
    telemetry::TelemetrySource* source = hub ? hub->source(settings.id) : nullptr;
    if (!source)
        return row;
    row.state = stateOf(source->presence());
    row.counters = source->counters();
    if (!source->problems().isEmpty()) {
        row.problem = source->problems().constFirst().message;
        row.problemCode = source->problems().constFirst().code;
    }
    return row;
}

void ConnectionsModel::reload()
{
    std::vector<Row> rows;
    if (telemetry::TelemetryHub* hub = m_hub.data()) {
        for (const telemetry::BackendSettings& settings : hub->backends())
            rows.push_back(rowFor(settings));
    }
    const bool sameIds = std::equal(rows.begin(), rows.end(), m_rows.begin(), m_rows.end(),
                                    [](const Row& a, const Row& b) { return a.id == b.id; });
    if (!sameIds) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    // Same backends (an edit): keep the rows, and with them the view's selection.
    m_rows = std::move(rows);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void ConnectionsModel::refreshState(const QString& id)
{
    const int row = rowOf(id);
    telemetry::TelemetryHub* hub = m_hub.data();
    if (row < 0 || !hub)
        return;
    const std::optional<telemetry::BackendSettings> settings = hub->backend(id);
    if (!settings)
        return;
    m_rows[static_cast<size_t>(row)] = rowFor(*settings);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ConnectionsModel::refreshCounters()
{
    telemetry::TelemetryHub* hub = m_hub.data();
    if (!hub)
        return;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        Row& row = m_rows[i];
        const telemetry::TelemetrySource* source = hub->source(row.id);
        const telemetry::SourceCounters counters = source ? source->counters() : telemetry::SourceCounters{};
        if (sameCounters(counters, row.counters))
            continue;
        row.counters = counters;
        const int r = static_cast<int>(i);
        Q_EMIT dataChanged(index(r, Received), index(r, Untrusted), {Qt::DisplayRole});
    }
}

int ConnectionsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ConnectionsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QIcon ConnectionsModel::dot(State state) const
{
    const int key = static_cast<int>(state);
    if (const auto it = m_dots.constFind(key); it != m_dots.constEnd())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QColor(0, 0, 0, 90)); // a thin rim keeps grey and amber visible on any background
    painter.setBrush(stateColor(state));
    painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    painter.end();
    const QIcon icon(pixmap);
    m_dots.insert(key, icon);
    return icon;
}

QVariant ConnectionsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[static_cast<size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Name:
            return r.name;
        case Url:
            return r.url;
        case Presence:
            return stateText(r.state);
        case Received:
            return static_cast<qulonglong>(r.counters.received);
        case Dropped:
            return static_cast<qulonglong>(r.counters.dropped);
        case Rejected:
            return static_cast<qulonglong>(r.counters.rejected);
        case Untrusted:
            return static_cast<qulonglong>(r.counters.untrusted);
        case Problem:
            return r.problem;
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DecorationRole:
        return column == Presence ? QVariant(dot(r.state)) : QVariant();
    case Qt::ToolTipRole:
        if (column == Name)
            return tr("Id: %1").arg(r.id);
        if (column == Problem && !r.problem.isEmpty())
            return QStringLiteral("[%1] %2").arg(r.problemCode, r.problem);
        return {};
    case Qt::TextAlignmentRole:
        if (column >= Received && column <= Untrusted)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IdRole:
        return r.id;
    case StateRole:
        return static_cast<int>(r.state);
    case StateColorRole:
        return stateColor(r.state);
    case ProblemCodeRole:
        return r.problemCode;
    default:
        return {};
    }
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const titles[] = {QT_TR_NOOP("Name"),      QT_TR_NOOP("URL"),     QT_TR_NOOP("Presence"),
                                             QT_TR_NOOP("Received"),  QT_TR_NOOP("Dropped"), QT_TR_NOOP("Rejected"),
                                             QT_TR_NOOP("Untrusted"), QT_TR_NOOP("Problem")};
        return tr(titles[section]);
    }
    if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case Received:
            return tr("Messages taken from the wire");
        case Dropped:
            return tr("Messages dropped because the queue was full (oldest first)");
        case Rejected:
            return tr("Messages that could not be decoded");
        case Untrusted:
            return tr("Values marked untrusted by the signature check");
        default:
            return {};
        }
    }
    return {};
}

} // namespace twinspect::ui
