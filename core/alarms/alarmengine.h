// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"
#include "common/result.h"
#include "telemetry/sample.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>

#include <array>
#include <functional>
#include <optional>
#include <vector>

class QTimer;

namespace twinspect {
struct Plant;
}

namespace twinspect::telemetry {
class TagStore;
}

namespace twinspect::alarms {

/// How many alarms are in each state, per priority. Shelved and suppressed alarms are not active.
struct AlarmCounts
{
    struct PerPriority
    {
        int unackActive = 0;
        int ackActive = 0;
        int unackRtn = 0;
        int shelved = 0;
        int suppressed = 0;
        int active() const { return unackActive + ackActive; }
    };
    std::array<PerPriority, kPriorityCount> perPriority{};

    const PerPriority& operator[](Priority priority) const { return perPriority.at(static_cast<size_t>(priority)); }
    int active() const;
    int unacknowledged() const; ///< unacknowledged active and unacknowledged returned
    int shelved() const;
    int suppressed() const;
};

/// The alarms of a plant: ISA-18.2 states per alarm, driven by tag samples, operator actions and
/// time (docs/plant-format.md, "Alarms", has the rules). Lives in the GUI thread, like TagStore.
///
/// Time: on- and off-delays run on the samples' source time. tick(now) lets them elapse between
/// samples by adding the clock time passed since the tag's last sample arrived to that sample's
/// time, so a publisher whose clock is off (or a slow network) neither shortens nor stretches a
/// delay. Shelves end on the clock. Tests inject a clock that they move together with sample times.
///
/// Signals come only with state transitions (never per sample): transition() once per change, for
/// the audit log, then alarmsChanged() once per call with every alarm that changed.
class AlarmEngine : public QObject
{
    Q_OBJECT
public:
    /// clock: ms since the epoch; the system clock when empty.
    explicit AlarmEngine(std::function<qint64()> clock = {}, QObject* parent = nullptr);
    ~AlarmEngine() override;

    /// Replaces the configuration. Alarms that keep their id keep their state; others start
    /// suppressed (no data) until their tag reports. Refused as a whole when any entry is invalid
    /// or a tag appears twice.
    Result<bool> configure(const QList<AlarmConfig>& configs);

    /// One sample of a tag. timeMs is its source time (0: now by the clock). A sample older than
    /// the tag's last one is ignored, as the tag store does. Tags without alarms are ignored.
    void update(const QString& tag, const telemetry::Value& value, telemetry::Quality quality, qint64 timeMs);
    /// The current state of these tags in the store (with its effective quality, so staleness
    /// suppresses); connect it to TagStore::tagsChanged, or use follow().
    void updateFromStore(const telemetry::TagStore& store, const QStringList& tags);
    /// Evaluates the store's tags whenever it reports changes, for as long as both exist. Call once per store.
    void follow(telemetry::TagStore* store);

    /// Lets delays and shelves elapse without samples. nowMs: the clock's time now.
    void tick(qint64 nowMs);
    /// Calls tick(clock()) every intervalMs (0 stops). The only timer; all logic is in tick().
    void setTickInterval(int intervalMs);

    Result<bool> acknowledge(const QString& alarmId, const QString& by, qint64 atMs);
    /// Shelves until untilMs (by the clock; must be in the future). Shelving a shelved alarm again
    /// changes its expiry. by and reason are required: they are what the audit log records.
    Result<bool> shelve(const QString& alarmId, qint64 untilMs, const QString& by, const QString& reason);
    Result<bool> unshelve(const QString& alarmId, const QString& by);

    /// Every alarm, in configuration order (per tag: HIHI, HI, LO, LOLO, STATE).
    QList<AlarmStatus> alarms() const;
    std::optional<AlarmStatus> alarm(const QString& alarmId) const;
    /// The alarm ids of a tag, in the order of alarms().
    QStringList alarmIds(const QString& tag) const;
    /// The statuses of a tag's alarms without copying them, for callers that look often (the 3D
    /// overlay, per changed tag). Valid until the engine next changes.
    std::vector<const AlarmStatus*> statusesOf(const QString& tag) const;
    AlarmCounts counts() const;

Q_SIGNALS:
    /// Alarms whose status changed in one call (update, tick, acknowledge, ...). Callers coalesce
    /// further if they redraw less often.
    void alarmsChanged(const QStringList& alarmIds);
    /// One state change, for the audit log (acknowledgements and shelving carry the operator).
    void transition(const twinspect::alarms::AlarmTransition& transition);

private:
    /// When the tag's last sample was taken (source) and when it arrived (clock).
    struct TagTiming
    {
        qint64 sampleMs = 0;
        qint64 arrivedMs = 0;
        bool known = false;
    };
    void evaluate(const QString& tag, const telemetry::Value& value, telemetry::Quality quality, qint64 timeMs,
                  qint64 arrivedMs, QStringList& changed, std::vector<AlarmTransition>& out);
    Alarm* find(const QString& alarmId);
    Result<bool> operatorAction(const QString& alarmId,
                                const std::function<Result<bool>(Alarm&, std::vector<AlarmTransition>&)>& action);
    void publish(const QStringList& changed, const std::vector<AlarmTransition>& transitions);

    std::function<qint64()> m_clock;
    std::vector<Alarm> m_alarms;
    QHash<QString, int> m_indexById;
    QHash<QString, QList<int>> m_indexesByTag;
    QHash<QString, TagTiming> m_timing;
    QTimer* m_tickTimer = nullptr;
};

/// The alarm configurations of a plant's tag bindings, in plant order.
QList<AlarmConfig> alarmConfigs(const Plant& plant);

} // namespace twinspect::alarms
