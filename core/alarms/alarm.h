// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "telemetry/sample.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>
#include <vector>

namespace twinspect::alarms {

/// ISA-18.2 style priorities, lowest first (so that "the most urgent of two" is max()).
enum class Priority : quint8
{
    Low,
    Medium,
    High,
    Urgent
};
inline constexpr int kPriorityCount = 4;

/// What an alarm watches. Each analog limit is an alarm of its own ("TAG:HI" and "TAG:HIHI"), so a
/// HiHi can be active together with the Hi below it.
enum class AlarmKind : quint8
{
    LoLo,
    Lo,
    Hi,
    HiHi,
    Boolean, ///< the value equals the configured state (true for a high-level switch)
    Discrete ///< the value is one of the configured states ("TRIP")
};

/// The state an alarm is shown in. Normal to UnackRtn are ISA-18.2's states A-D; Shelved and
/// Suppressed are overlays that hide the alarm from annunciation:
///  - Shelved: an operator took it out until an expiry time; the alarm then re-evaluates.
///  - Suppressed: the tag's data cannot be believed (quality Bad, Stale or Untrusted, no usable value,
///    or no data yet). The alarm is neither raised nor cleared and is never shown as Normal.
enum class AlarmState : quint8
{
    Normal,
    UnackActive,
    AckActive,
    UnackRtn, ///< returned to normal, not acknowledged yet
    Shelved,
    Suppressed
};

/// What made an alarm change state (the audit log records operator causes with AlarmTransition::by).
enum class TransitionCause : quint8
{
    Raised,           ///< the condition held for the on-delay (also: again while UnackRtn)
    ReturnedToNormal, ///< the return held for the off-delay
    Acknowledged,
    Shelved,       ///< also when an operator shelves an alarm again to change the expiry
    Unshelved,     ///< by an operator
    ShelveExpired, ///< the expiry time passed
    Suppressed,    ///< the data became unusable
    Resumed        ///< usable data again: the alarm shows its kept state and evaluates the new value
};

struct AnalogLimit
{
    double limit = 0.0;
    Priority priority = Priority::Medium;
};

/// The alarms of one tag. Analog limits, a boolean state or discrete states: one form per tag.
struct AlarmConfig
{
    enum class Type : quint8
    {
        Analog,
        Boolean,
        Discrete
    };

    QString tag;
    QString unit; ///< the tag's engineering unit, for messages
    Type type = Type::Analog;

    // Analog. Each limit is optional; those given must satisfy loLo < lo < hi < hiHi.
    std::optional<AnalogLimit> loLo;
    std::optional<AnalogLimit> lo;
    std::optional<AnalogLimit> hi;
    std::optional<AnalogLimit> hiHi;
    /// In the tag's unit, >= 0: an active Hi clears only below hi - deadband, a Lo only above lo + deadband.
    double deadband = 0.0;

    // Boolean and discrete.
    bool alarmState = true;              ///< Boolean: alarm while the value equals this
    QList<telemetry::Value> alarmStates; ///< Discrete: alarm while the value is one of these (text or numbers)
    Priority priority = Priority::Medium;

    /// The condition must hold this long, continuously, before the alarm is raised.
    qint64 onDelayMs = 0;
    /// The return must hold this long, continuously, before the alarm returns to normal.
    qint64 offDelayMs = 0;
};

/// Why this configuration cannot be used, or an empty string when it is fine.
QString configProblem(const AlarmConfig& config);

/// What the alarm list shows for one alarm.
struct AlarmStatus
{
    QString id; ///< "TAG:LOLO", "TAG:LO", "TAG:HI", "TAG:HIHI"; "TAG:STATE" for boolean and discrete
    QString tag;
    AlarmKind kind = AlarmKind::Hi;
    Priority priority = Priority::Medium;
    AlarmState state = AlarmState::Suppressed; ///< as shown; Suppressed until the first usable sample
    /// The ISA-18.2 state kept under an overlay: frozen while Suppressed, Normal while Shelved.
    AlarmState latched = AlarmState::Normal;
    telemetry::Quality suppressedBy = telemetry::Quality::Bad; ///< why it is Suppressed
    bool hasData = false;                                      ///< a sample has arrived for the tag
    telemetry::Value lastValue;
    telemetry::Value activationValue;
    qint64 activatedAtMs = 0; ///< times are ms since the epoch; 0: not yet
    qint64 acknowledgedAtMs = 0;
    qint64 returnedAtMs = 0;
    QString acknowledgedBy;
    qint64 shelvedAtMs = 0;
    qint64 shelvedUntilMs = 0;
    QString shelvedBy;
    QString shelveReason;
    /// The last activation ("DM-TIT01 HI 96.3 degC > 95"), or before any the condition ("DM-TIT01 HI > 95 degC").
    QString message;

    bool isActive() const { return state == AlarmState::UnackActive || state == AlarmState::AckActive; }
    bool isUnacknowledged() const { return state == AlarmState::UnackActive || state == AlarmState::UnackRtn; }
    /// "active, unacknowledged", "shelved", "suppressed (stale data)", ...
    QString stateText() const;
};

/// One state change, for the audit log and the alarm banner.
struct AlarmTransition
{
    QString alarmId;
    QString tag;
    Priority priority = Priority::Medium;
    AlarmState from = AlarmState::Normal;
    AlarmState to = AlarmState::Normal; ///< equals `from` when an operator shelves a shelved alarm again
    TransitionCause cause = TransitionCause::Raised;
    QString by;     ///< the operator for Acknowledged, Shelved and Unshelved; empty otherwise
    QString reason; ///< a sentence: "acknowledged by alice", "shelved by alice until ...: valve maintenance"
    qint64 timeMs = 0;
    telemetry::Value value; ///< the tag's last value
};

/// Stable lower-case names used in documents, plant files and the audit log.
QString priorityName(Priority priority);
std::optional<Priority> priorityFromName(QStringView name);
QString kindName(AlarmKind kind); ///< "HIHI", "HI", "LO", "LOLO", "STATE": also the id suffix
QString stateName(AlarmState state);
QString causeName(TransitionCause cause);
QString alarmId(const QString& tag, AlarmKind kind);

/// The state machine of one alarm. Pure logic: no clock, no timer, no signals; every call says what
/// time it is and appends the transitions it caused. AlarmEngine owns these and routes samples.
///
/// Two time lines: delays run on sample (source) time, so that a late burst of samples is judged by
/// when the values were measured; shelving runs on the workstation clock, as an operator means it.
class Alarm
{
public:
    Alarm(AlarmKind kind, const AlarmConfig& config);

    const AlarmStatus& status() const { return m_status; }
    QString id() const { return m_status.id; }
    /// Takes new limits, priority and delays; keeps the state.
    void reconfigure(const AlarmConfig& config);

    /// A sample of the tag at source time timeMs. Bad, Stale and Untrusted (and values this alarm
    /// cannot read) suppress; Good and Uncertain evaluate. Returns true when the status changed.
    bool evaluate(const telemetry::Value& value, telemetry::Quality quality, qint64 timeMs,
                  std::vector<AlarmTransition>& out);
    /// Lets a pending on- or off-delay elapse without a new sample (sourceNowMs: the source's time
    /// now), and ends a shelve whose expiry passed (clockNowMs: the workstation's time now).
    bool elapse(qint64 sourceNowMs, qint64 clockNowMs, std::vector<AlarmTransition>& out);

    Result<bool> acknowledge(const QString& by, qint64 atMs, std::vector<AlarmTransition>& out);
    Result<bool> shelve(qint64 untilMs, const QString& by, const QString& reason, qint64 nowMs,
                        std::vector<AlarmTransition>& out);
    Result<bool> unshelve(const QString& by, qint64 nowMs, std::vector<AlarmTransition>& out);

private:
    enum class Reading : quint8
    {
        InAlarm,
        Normal,
        Unusable
    };
    Reading read(const telemetry::Value& value) const;
    AlarmState shown() const;
    void setActive(bool active, qint64 timeMs, std::vector<AlarmTransition>& out);
    void endShelve(TransitionCause cause, const QString& by, qint64 nowMs, std::vector<AlarmTransition>& out);
    void activate(qint64 timeMs);
    void record(AlarmState from, TransitionCause cause, const QString& by, const QString& reason, qint64 timeMs,
                std::vector<AlarmTransition>& out);
    QString conditionText() const;
    QString activationText() const;

    AlarmKind m_kind;
    AlarmConfig m_config;
    AlarmStatus m_status;
    bool m_active = false; ///< the condition after deadband and delays, tracked under overlays too
    bool m_shelved = false;
    bool m_suppressed = true;               ///< no usable data (yet)
    std::optional<qint64> m_pendingSinceMs; ///< source time since which the reading differs from m_active
};

} // namespace twinspect::alarms

Q_DECLARE_METATYPE(twinspect::alarms::AlarmTransition)
