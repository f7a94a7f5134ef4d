// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/telemetrysource.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QIcon>
#include <QPointer>

#include <vector>

class QTimer;

namespace twinspect::telemetry {
struct BackendSettings;
class TelemetryHub;
} // namespace twinspect::telemetry

namespace twinspect::ui {

/// The hub's backends as a table: name, URL, presence, counters and the first problem.
/// Rows follow TelemetryHub::backendsChanged, presence and problems follow sourceStateChanged, and the
/// counters are polled by a timer (default 1 s) so that a busy stream never causes per-message repaints.
class ConnectionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Url,
        Presence,
        Received,
        Dropped,
        Rejected,
        Untrusted,
        Problem,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1, ///< the backend id, in every column
        StateRole,                 ///< State as int
        StateColorRole,            ///< the dot's colour (never the only cue: the text says the same)
        ProblemCodeRole,           ///< the first problem's code, or empty
    };
    /// What the presence column says. Disabled: switched off in the settings (no source runs).
    enum class State : quint8
    {
        Disabled,
        Stopped,
        Connecting,
        Present,
        Reconnecting,
        Error
    };

    explicit ConnectionsModel(telemetry::TelemetryHub* hub, QObject* parent = nullptr);
    ~ConnectionsModel() override;

    QString idAt(int row) const;
    /// Row of a backend, or -1.
    int rowOf(const QString& id) const;
    State stateAt(int row) const;
    static QString stateText(State state);
    static QColor stateColor(State state);

    /// Reads the counters now (the timer does this every interval).
    void refreshCounters();
    void setRefreshInterval(int ms);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString id;
        QString name;
        QString url;
        State state = State::Stopped;
        telemetry::SourceCounters counters;
        QString problem;
        QString problemCode;
    };
    Row rowFor(const telemetry::BackendSettings& settings) const;
    void reload();
    void refreshState(const QString& id);
    QIcon dot(State state) const;

    QPointer<telemetry::TelemetryHub> m_hub;
    std::vector<Row> m_rows;
    QTimer* m_timer;
    mutable QHash<int, QIcon> m_dots; ///< painted once per state, on first use
};

} // namespace twinspect::ui
