// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/sample.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>

#include <functional>
#include <vector>

class QTimer;

namespace twinspect::telemetry {

/// One point of a tag's history, for trends. value is NaN when the sample had no number.
struct HistoryPoint
{
    qint64 timeMs = 0; ///< source time, else receive time
    double value = 0.0;
    Quality quality = Quality::Good;
};

/// What the workstation knows about one tag now.
struct TagState
{
    QString tag;
    QString sourceId; ///< the backend the last value came from
    Value value;
    Quality quality = Quality::Bad; ///< as received (see TagStore::effectiveQuality for staleness)
    Authenticity authenticity = Authenticity::Transport;
    qint64 sourceTimeMs = 0;
    qint64 receiveTimeMs = 0;
    qint64 expectedPeriodMs = 0; ///< 0: no expectation, never stale by age
    quint64 updates = 0;
    bool hasValue() const { return updates > 0; }
};

/// Latest value, quality and times per tag, with a bounded history each. Lives in the GUI thread.
/// Consumers are told what changed at most once per frame (tagsChanged), never per sample.
class TagStore : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int historyPerTag = 3600;  ///< points kept per tag (oldest dropped)
        int maxTags = 200'000;     ///< tags beyond this are refused and counted
        int notifyIntervalMs = 16; ///< coalescing interval: one frame at 60 Hz
        double staleFactor = 2.5;  ///< stale when older than staleFactor × expected period
    };

    explicit TagStore(QObject* parent = nullptr);
    TagStore(Limits limits, QObject* parent = nullptr);
    ~TagStore() override;

    /// The clock used for ages and staleness (tests pass a fake one).
    void setClock(std::function<qint64()> clock);
    qint64 now() const;

    /// defaultPeriodMs: the expected period given to a tag the first time it is seen without one
    /// (the backend's setting), so staleness needs no lookup per sample afterwards.
    void ingest(const SampleBatch& samples, const QString& sourceId, qint64 defaultPeriodMs = 0);
    /// How often a tag is expected to change; it becomes stale when no value came for long.
    void setExpectedPeriod(const QString& tag, qint64 periodMs);

    const TagState* state(const QString& tag) const;
    /// The quality to show: the received one, or Stale when the tag is overdue. Untrusted and Bad
    /// always win over Stale: a stale untrusted value is still untrusted.
    Quality effectiveQuality(const TagState& state) const;
    std::vector<HistoryPoint> history(const QString& tag) const;
    QStringList tags() const;
    int tagCount() const { return static_cast<int>(m_states.size()); }
    quint64 refusedTags() const { return m_refusedTags; }
    quint64 samplesIngested() const { return m_ingested; }

    /// Recomputes staleness now and emits what changed (also runs on its own timer each second).
    void checkStaleness();
    /// Emits any pending change at once instead of waiting for the next frame.
    void flush();

Q_SIGNALS:
    /// Tags whose value, quality or staleness changed since the last emission.
    void tagsChanged(const QStringList& tags);

private:
    struct Entry
    {
        TagState state;
        std::vector<HistoryPoint> ring;
        qsizetype ringHead = 0; ///< next write position once the ring is full
        bool dirty = false;
        bool wasStale = false;
    };
    Entry* entryFor(const QString& tag);
    void markDirty(Entry& entry);
    void appendHistory(Entry& entry, const HistoryPoint& point);

    Limits m_limits;
    QElapsedTimer m_sinceNotify; ///< since the last tagsChanged
    std::function<qint64()> m_clock;
    QHash<QString, Entry> m_states;
    QStringList m_dirty;
    QTimer* m_notifyTimer = nullptr;
    QTimer* m_staleTimer = nullptr;
    quint64 m_refusedTags = 0;
    quint64 m_ingested = 0;
};

} // namespace twinspect::telemetry
