// SPDX-License-Identifier: Apache-2.0
#include "alarms/alarm.h"

#include <QDateTime>
#include <QStringList>
#include <QTimeZone>

#include <cmath>
#include <initializer_list>

namespace twinspect::alarms {

using telemetry::Quality;
using telemetry::Value;

namespace {

bool isUnbelievable(Quality quality)
{
    return quality == Quality::Stale || quality == Quality::Bad || quality == Quality::Untrusted;
}

QString numberText(double value)
{
    return QString::number(value, 'g', 10);
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate);
}

/// Analog alarms read numbers; a boolean counts as 0 or 1, as it does in the tag store's history.
std::optional<double> numberOf(const Value& value)
{
    if (const auto* number = std::get_if<double>(&value))
        return std::isfinite(*number) ? std::optional<double>(*number) : std::nullopt;
    if (const auto* flag = std::get_if<bool>(&value))
        return *flag ? 1.0 : 0.0;
    return std::nullopt;
}

std::optional<bool> booleanOf(const Value& value)
{
    if (const auto* flag = std::get_if<bool>(&value))
        return *flag;
    if (const auto* number = std::get_if<double>(&value))
        return std::isnan(*number) ? std::nullopt : std::optional<bool>(*number != 0.0);
    return std::nullopt;
}

const std::optional<AnalogLimit>& limitOf(const AlarmConfig& config, AlarmKind kind)
{
    static const std::optional<AnalogLimit> none;
    switch (kind) {
    case AlarmKind::LoLo:
        return config.loLo;
    case AlarmKind::Lo:
        return config.lo;
    case AlarmKind::Hi:
        return config.hi;
    case AlarmKind::HiHi:
        return config.hiHi;
    case AlarmKind::Boolean:
    case AlarmKind::Discrete:
        break;
    }
    return none;
}

bool isHigh(AlarmKind kind)
{
    return kind == AlarmKind::Hi || kind == AlarmKind::HiHi;
}

Priority priorityOf(const AlarmConfig& config, AlarmKind kind)
{
    const std::optional<AnalogLimit>& limit = limitOf(config, kind);
    return limit ? limit->priority : config.priority;
}

} // namespace

QString configProblem(const AlarmConfig& config)
{
    if (config.tag.isEmpty())
        return QStringLiteral("an alarm configuration has no tag");
    const QString where = QStringLiteral("alarms of %1: ").arg(config.tag);
    if (config.onDelayMs < 0 || config.offDelayMs < 0)
        return where + QStringLiteral("on- and off-delays must not be negative");
    switch (config.type) {
    case AlarmConfig::Type::Analog: {
        if (!(config.deadband >= 0.0) || !std::isfinite(config.deadband))
            return where + QStringLiteral("the deadband must be a number >= 0, got %1").arg(config.deadband);
        const std::optional<AnalogLimit>* previous = nullptr;
        QString previousName;
        for (const AlarmKind kind : {AlarmKind::LoLo, AlarmKind::Lo, AlarmKind::Hi, AlarmKind::HiHi}) {
            const std::optional<AnalogLimit>& limit = limitOf(config, kind);
            if (!limit)
                continue;
            if (!std::isfinite(limit->limit))
                return where + QStringLiteral("the %1 limit is not a finite number").arg(kindName(kind));
            if (previous && !((*previous)->limit < limit->limit))
                return where +
                       QStringLiteral("the %1 limit (%2) must be above the %3 limit (%4)")
                           .arg(kindName(kind), numberText(limit->limit), previousName, numberText((*previous)->limit));
            previous = &limit;
            previousName = kindName(kind);
        }
        if (!previous)
            return where + QStringLiteral("give at least one of the limits LOLO, LO, HI, HIHI");
        return {};
    }
    case AlarmConfig::Type::Boolean:
        return {};
    case AlarmConfig::Type::Discrete:
        if (config.alarmStates.isEmpty())
            return where + QStringLiteral("give at least one alarm state");
        for (const Value& state : config.alarmStates) {
            if (std::holds_alternative<std::monostate>(state))
                return where + QStringLiteral("an alarm state has no value");
        }
        return {};
    }
    return {};
}

QString AlarmStatus::stateText() const
{
    switch (state) {
    case AlarmState::Normal:
        return QStringLiteral("normal");
    case AlarmState::UnackActive:
        return QStringLiteral("active, unacknowledged");
    case AlarmState::AckActive:
        return QStringLiteral("active, acknowledged");
    case AlarmState::UnackRtn:
        return QStringLiteral("returned to normal, unacknowledged");
    case AlarmState::Shelved:
        return QStringLiteral("shelved");
    case AlarmState::Suppressed:
        break;
    }
    if (!hasData)
        return QStringLiteral("suppressed (no data)");
    switch (suppressedBy) {
    case Quality::Stale:
        return QStringLiteral("suppressed (stale data)");
    case Quality::Untrusted:
        return QStringLiteral("suppressed (untrusted data)");
    case Quality::Good:
    case Quality::Uncertain:
    case Quality::Bad:
        break;
    }
    return QStringLiteral("suppressed (bad data)");
}

QString priorityName(Priority priority)
{
    switch (priority) {
    case Priority::Low:
        return QStringLiteral("low");
    case Priority::Medium:
        return QStringLiteral("medium");
    case Priority::High:
        return QStringLiteral("high");
    case Priority::Urgent:
        return QStringLiteral("urgent");
    }
    return QStringLiteral("medium");
}

std::optional<Priority> priorityFromName(QStringView name)
{
    for (const Priority p : {Priority::Low, Priority::Medium, Priority::High, Priority::Urgent}) {
        if (name == priorityName(p))
            return p;
    }
    return std::nullopt;
}

QString kindName(AlarmKind kind)
{
    switch (kind) {
    case AlarmKind::LoLo:
        return QStringLiteral("LOLO");
    case AlarmKind::Lo:
        return QStringLiteral("LO");
    case AlarmKind::Hi:
        return QStringLiteral("HI");
    case AlarmKind::HiHi:
        return QStringLiteral("HIHI");
    case AlarmKind::Boolean:
    case AlarmKind::Discrete:
        break;
    }
    return QStringLiteral("STATE");
}

QString stateName(AlarmState state)
{
    switch (state) {
    case AlarmState::Normal:
        return QStringLiteral("normal");
    case AlarmState::UnackActive:
        return QStringLiteral("unack-active");
    case AlarmState::AckActive:
        return QStringLiteral("ack-active");
    case AlarmState::UnackRtn:
        return QStringLiteral("unack-rtn");
    case AlarmState::Shelved:
        return QStringLiteral("shelved");
    case AlarmState::Suppressed:
        break;
    }
    return QStringLiteral("suppressed");
}

QString causeName(TransitionCause cause)
{
    switch (cause) {
    case TransitionCause::Raised:
        return QStringLiteral("raised");
    case TransitionCause::ReturnedToNormal:
        return QStringLiteral("returned-to-normal");
    case TransitionCause::Acknowledged:
        return QStringLiteral("acknowledged");
    case TransitionCause::Shelved:
        return QStringLiteral("shelved");
    case TransitionCause::Unshelved:
        return QStringLiteral("unshelved");
    case TransitionCause::ShelveExpired:
        return QStringLiteral("shelve-expired");
    case TransitionCause::Suppressed:
        return QStringLiteral("suppressed");
    case TransitionCause::Resumed:
        break;
    }
    return QStringLiteral("resumed");
}

QString alarmId(const QString& tag, AlarmKind kind)
{
    return tag + QLatin1Char(':') + kindName(kind);
}

Alarm::Alarm(AlarmKind kind, const AlarmConfig& config)
    : m_kind(kind)
    , m_config(config)
{
    m_status.id = alarmId(config.tag, kind);
    m_status.tag = config.tag;
    m_status.kind = kind;
    m_status.priority = priorityOf(config, kind);
    m_status.state = shown();
    m_status.message = conditionText();
}

void Alarm::reconfigure(const AlarmConfig& config)
{
    m_config = config;
    m_status.priority = priorityOf(config, m_kind);
    if (m_status.activatedAtMs == 0)
        m_status.message = conditionText();
}

AlarmState Alarm::shown() const
{
    if (m_shelved)
        return AlarmState::Shelved;
    if (m_suppressed)
        return AlarmState::Suppressed;
    return m_status.latched;
}

Alarm::Reading Alarm::read(const Value& value) const
{
    switch (m_kind) {
    case AlarmKind::LoLo:
    case AlarmKind::Lo:
    case AlarmKind::Hi:
    case AlarmKind::HiHi: {
        const std::optional<double> number = numberOf(value);
        const std::optional<AnalogLimit>& limit = limitOf(m_config, m_kind);
        if (!number || !limit)
            return Reading::Unusable;
        // The deadband applies only on the way back, so a value hovering at the limit raises once.
        const double db = m_config.deadband;
        const bool in = isHigh(m_kind) ? (m_active ? *number >= limit->limit - db : *number > limit->limit)
                                       : (m_active ? *number <= limit->limit + db : *number < limit->limit);
        return in ? Reading::InAlarm : Reading::Normal;
    }
    case AlarmKind::Boolean: {
        const std::optional<bool> flag = booleanOf(value);
        if (!flag)
            return Reading::Unusable;
        return *flag == m_config.alarmState ? Reading::InAlarm : Reading::Normal;
    }
    case AlarmKind::Discrete:
        if (std::holds_alternative<std::monostate>(value))
            return Reading::Unusable;
        if (const auto* number = std::get_if<double>(&value); number && std::isnan(*number))
            return Reading::Unusable;
        return m_config.alarmStates.contains(value) ? Reading::InAlarm : Reading::Normal;
    }
    return Reading::Unusable;
}

bool Alarm::evaluate(const Value& value, Quality quality, qint64 timeMs, std::vector<AlarmTransition>& out)
{
    const bool firstSample = !m_status.hasData;
    m_status.hasData = true;
    m_status.lastValue = value;
    const Reading reading = isUnbelievable(quality) ? Reading::Unusable : read(value);
    if (reading == Reading::Unusable) {
        // Nothing is known about the condition now, so a delay in progress cannot have held.
        m_pendingSinceMs.reset();
        const Quality why = isUnbelievable(quality) ? quality : Quality::Bad;
        const bool reasonChanged = firstSample || m_status.suppressedBy != why;
        m_status.suppressedBy = why;
        if (m_suppressed)
            return reasonChanged && !m_shelved;
        m_suppressed = true;
        const AlarmState before = m_status.state;
        m_status.state = shown();
        if (before == m_status.state)
            return false; // shelved: the suppression shows when the shelve ends
        record(before, TransitionCause::Suppressed, {}, m_status.stateText(), timeMs, out);
        return true;
    }

    bool changed = false;
    if (m_suppressed) {
        m_suppressed = false;
        const AlarmState before = m_status.state;
        m_status.state = shown();
        if (before != m_status.state) {
            record(before, TransitionCause::Resumed, {},
                   QStringLiteral("data usable again (quality %1)").arg(telemetry::qualityName(quality)), timeMs, out);
            changed = true;
        }
    }

    const bool inAlarm = reading == Reading::InAlarm;
    if (inAlarm == m_active) {
        m_pendingSinceMs.reset();
        return changed;
    }
    if (!m_pendingSinceMs)
        m_pendingSinceMs = timeMs;
    const qint64 delay = inAlarm ? m_config.onDelayMs : m_config.offDelayMs;
    if (timeMs - *m_pendingSinceMs >= delay) {
        // Samples hold until the next one: the condition held from the start of the delay, so the
        // transition is dated when the delay ran out, not when a late sample happened to show it.
        setActive(inAlarm, *m_pendingSinceMs + delay, out);
        changed = true;
    }
    return changed;
}

bool Alarm::elapse(qint64 sourceNowMs, qint64 clockNowMs, std::vector<AlarmTransition>& out)
{
    bool changed = false;
    if (m_shelved && clockNowMs >= m_status.shelvedUntilMs) {
        endShelve(TransitionCause::ShelveExpired, {}, clockNowMs, out);
        changed = true;
    }
    if (m_pendingSinceMs && !m_suppressed) {
        const bool target = !m_active;
        const qint64 delay = target ? m_config.onDelayMs : m_config.offDelayMs;
        if (sourceNowMs - *m_pendingSinceMs >= delay) {
            setActive(target, *m_pendingSinceMs + delay, out);
            changed = true;
        }
    }
    return changed;
}

void Alarm::setActive(bool active, qint64 timeMs, std::vector<AlarmTransition>& out)
{
    m_active = active;
    m_pendingSinceMs.reset();
    if (m_shelved || m_suppressed)
        return; // tracked all the same: the alarm re-evaluates from m_active when the overlay ends
    const AlarmState before = m_status.state;
    if (active) {
        activate(timeMs);
        m_status.state = shown();
        record(before, TransitionCause::Raised, {}, m_status.message, timeMs, out);
        return;
    }
    // ISA-18.2: an acknowledged alarm that returns goes to normal; an unacknowledged one waits for its ack.
    m_status.latched = m_status.latched == AlarmState::UnackActive ? AlarmState::UnackRtn : AlarmState::Normal;
    m_status.returnedAtMs = timeMs;
    m_status.state = shown();
    record(before, TransitionCause::ReturnedToNormal, {},
           QStringLiteral("%1 returned to normal (%2)").arg(m_status.id, telemetry::valueText(m_status.lastValue)),
           timeMs, out);
}

void Alarm::activate(qint64 timeMs)
{
    m_status.latched = AlarmState::UnackActive;
    m_status.activationValue = m_status.lastValue;
    m_status.activatedAtMs = timeMs;
    m_status.acknowledgedAtMs = 0;
    m_status.acknowledgedBy.clear();
    m_status.returnedAtMs = 0;
    m_status.message = activationText();
}

Result<bool> Alarm::acknowledge(const QString& by, qint64 atMs, std::vector<AlarmTransition>& out)
{
    if (by.trimmed().isEmpty())
        return Error{QStringLiteral("alarm.operator"),
                     QStringLiteral("acknowledging %1 needs the name of the operator").arg(m_status.id)};
    const AlarmState before = m_status.state;
    switch (before) {
    case AlarmState::UnackActive:
        m_status.latched = AlarmState::AckActive;
        break;
    case AlarmState::UnackRtn:
        m_status.latched = AlarmState::Normal;
        break;
    case AlarmState::AckActive:
        return Error{QStringLiteral("alarm.acknowledged"),
                     QStringLiteral("%1 is already acknowledged (by %2 at %3)")
                         .arg(m_status.id, m_status.acknowledgedBy, timeText(m_status.acknowledgedAtMs))};
    case AlarmState::Normal:
        return Error{QStringLiteral("alarm.not-active"),
                     QStringLiteral("%1 is normal: there is nothing to acknowledge").arg(m_status.id)};
    case AlarmState::Shelved:
        return Error{QStringLiteral("alarm.shelved"),
                     QStringLiteral("%1 is shelved: unshelve it first if it needs attention").arg(m_status.id)};
    case AlarmState::Suppressed:
        // Acknowledging would confirm a condition nobody can see: wait for data that can be believed.
        return Error{QStringLiteral("alarm.suppressed"),
                     QStringLiteral("%1 is %2: acknowledge it when its data is good again")
                         .arg(m_status.id, m_status.stateText())};
    }
    m_status.acknowledgedAtMs = atMs;
    m_status.acknowledgedBy = by;
    m_status.state = shown();
    record(before, TransitionCause::Acknowledged, by, QStringLiteral("acknowledged by %1").arg(by), atMs, out);
    return true;
}

Result<bool> Alarm::shelve(qint64 untilMs, const QString& by, const QString& reason, qint64 nowMs,
                           std::vector<AlarmTransition>& out)
{
    if (by.trimmed().isEmpty())
        return Error{QStringLiteral("alarm.operator"),
                     QStringLiteral("shelving %1 needs the name of the operator").arg(m_status.id)};
    if (reason.trimmed().isEmpty())
        return Error{QStringLiteral("alarm.reason"), QStringLiteral("shelving %1 needs a reason").arg(m_status.id)};
    if (untilMs <= nowMs)
        return Error{QStringLiteral("alarm.shelve-time"),
                     QStringLiteral("a shelve of %1 must end in the future: until %2 is not after now (%3)")
                         .arg(m_status.id, timeText(untilMs), timeText(nowMs))};
    const AlarmState before = m_status.state;
    // ISA-18.2: a shelved alarm goes back to normal; when the shelve ends it is evaluated afresh.
    m_shelved = true;
    m_status.latched = AlarmState::Normal;
    m_status.shelvedAtMs = nowMs;
    m_status.shelvedUntilMs = untilMs;
    m_status.shelvedBy = by;
    m_status.shelveReason = reason;
    m_status.state = shown();
    record(before, TransitionCause::Shelved, by,
           QStringLiteral("shelved by %1 until %2: %3").arg(by, timeText(untilMs), reason), nowMs, out);
    return true;
}

Result<bool> Alarm::unshelve(const QString& by, qint64 nowMs, std::vector<AlarmTransition>& out)
{
    if (!m_shelved)
        return Error{QStringLiteral("alarm.not-shelved"), QStringLiteral("%1 is not shelved").arg(m_status.id)};
    if (by.trimmed().isEmpty())
        return Error{QStringLiteral("alarm.operator"),
                     QStringLiteral("unshelving %1 needs the name of the operator").arg(m_status.id)};
    endShelve(TransitionCause::Unshelved, by, nowMs, out);
    return true;
}

void Alarm::endShelve(TransitionCause cause, const QString& by, qint64 nowMs, std::vector<AlarmTransition>& out)
{
    const AlarmState before = m_status.state;
    m_shelved = false;
    m_status.latched = AlarmState::Normal;
    m_status.shelvedAtMs = 0;
    m_status.shelvedUntilMs = 0;
    m_status.shelvedBy.clear();
    m_status.shelveReason.clear();
    if (m_suppressed) {
        // The condition was tracked only while data was good; start again when it is.
        m_active = false;
        m_pendingSinceMs.reset();
    }
    m_status.state = shown();
    record(before, cause, by,
           cause == TransitionCause::Unshelved ? QStringLiteral("unshelved by %1").arg(by)
                                               : QStringLiteral("shelve expired"),
           nowMs, out);
    if (!m_suppressed && m_active) {
        const AlarmState normal = m_status.state;
        activate(nowMs);
        m_status.state = shown();
        record(normal, TransitionCause::Raised, {}, m_status.message, nowMs, out);
    }
}

void Alarm::record(AlarmState from, TransitionCause cause, const QString& by, const QString& reason, qint64 timeMs,
                   std::vector<AlarmTransition>& out)
{
    out.push_back(AlarmTransition{m_status.id, m_status.tag, m_status.priority, from, m_status.state, cause, by, reason,
                                  timeMs, m_status.lastValue});
}

QString Alarm::conditionText() const
{
    const QString unit = m_config.unit.isEmpty() ? QString() : QLatin1Char(' ') + m_config.unit;
    switch (m_kind) {
    case AlarmKind::LoLo:
    case AlarmKind::Lo:
    case AlarmKind::Hi:
    case AlarmKind::HiHi: {
        const std::optional<AnalogLimit>& limit = limitOf(m_config, m_kind);
        return QStringLiteral("%1 %2 %3 %4%5")
            .arg(m_config.tag, kindName(m_kind), isHigh(m_kind) ? QStringLiteral(">") : QStringLiteral("<"),
                 limit ? numberText(limit->limit) : QStringLiteral("?"), unit);
    }
    case AlarmKind::Boolean:
        return QStringLiteral("%1 STATE = %2").arg(m_config.tag, telemetry::valueText(m_config.alarmState));
    case AlarmKind::Discrete: {
        QStringList states;
        for (const Value& state : m_config.alarmStates)
            states.append(telemetry::valueText(state));
        return QStringLiteral("%1 STATE in %2").arg(m_config.tag, states.join(QStringLiteral(", ")));
    }
    }
    return m_config.tag;
}

QString Alarm::activationText() const
{
    const QString value = telemetry::valueText(m_status.activationValue);
    const std::optional<AnalogLimit>& limit = limitOf(m_config, m_kind);
    if (!limit)
        return QStringLiteral("%1 STATE %2").arg(m_config.tag, value);
    const QString unit = m_config.unit.isEmpty() ? QString() : QLatin1Char(' ') + m_config.unit;
    return QStringLiteral("%1 %2 %3%4 %5 %6")
        .arg(m_config.tag, kindName(m_kind), value, unit, isHigh(m_kind) ? QStringLiteral(">") : QStringLiteral("<"),
             numberText(limit->limit));
}

} // namespace twinspect::alarms
