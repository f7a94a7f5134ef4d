// SPDX-License-Identifier: Apache-2.0
#include "alarms/alarmengine.h"

#include "plant/plant.h"
#include "telemetry/tagstore.h"

#include <QDateTime>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <initializer_list>

namespace twinspect::alarms {

using telemetry::Quality;
using telemetry::Value;

namespace {

/// The alarms a configuration makes, top to bottom as an alarm list shows them.
QList<AlarmKind> kindsOf(const AlarmConfig& config)
{
    switch (config.type) {
    case AlarmConfig::Type::Analog: {
        QList<AlarmKind> kinds;
        for (const auto& [kind, limit] :
             {std::pair{AlarmKind::HiHi, &config.hiHi}, std::pair{AlarmKind::Hi, &config.hi},
              std::pair{AlarmKind::Lo, &config.lo}, std::pair{AlarmKind::LoLo, &config.loLo}}) {
            if (limit->has_value())
                kinds.append(kind);
        }
        return kinds;
    }
    case AlarmConfig::Type::Boolean:
        return {AlarmKind::Boolean};
    case AlarmConfig::Type::Discrete:
        return {AlarmKind::Discrete};
    }
    return {};
}

} // namespace

int AlarmCounts::active() const
{
    int n = 0;
    for (const PerPriority& p : perPriority)
        n += p.active();
    return n;
}

int AlarmCounts::unacknowledged() const
{
    int n = 0;
    for (const PerPriority& p : perPriority)
        n += p.unackActive + p.unackRtn;
    return n;
}

int AlarmCounts::shelved() const
{
    int n = 0;
    for (const PerPriority& p : perPriority)
        n += p.shelved;
    return n;
}

int AlarmCounts::suppressed() const
{
    int n = 0;
    for (const PerPriority& p : perPriority)
        n += p.suppressed;
    return n;
}

AlarmEngine::AlarmEngine(std::function<qint64()> clock, QObject* parent)
    : QObject(parent)
    , m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); })
{}

AlarmEngine::~AlarmEngine() = default;

Result<bool> AlarmEngine::configure(const QList<AlarmConfig>& configs)
{
    QSet<QString> tags;
    for (const AlarmConfig& config : configs) {
        if (const QString problem = configProblem(config); !problem.isEmpty())
            return Error{QStringLiteral("alarm.config"), problem};
        if (tags.contains(config.tag))
            return Error{
                QStringLiteral("alarm.config"),
                QStringLiteral("alarms of %1 are configured twice; give one configuration per tag").arg(config.tag)};
        tags.insert(config.tag);
    }

    // Every old and new alarm may have changed; the old ids are taken before the kept alarms move out.
    QStringList changed;
    QSet<QString> oldIds;
    for (const Alarm& old : m_alarms) {
        changed.append(old.id());
        oldIds.insert(old.id());
    }
    std::vector<Alarm> alarms;
    QHash<QString, int> indexById;
    QHash<QString, QList<int>> indexesByTag;
    for (const AlarmConfig& config : configs) {
        for (const AlarmKind kind : kindsOf(config)) {
            const QString id = alarmId(config.tag, kind);
            // STATE is boolean or discrete: a change of form starts afresh, as the old state meant something else.
            if (Alarm* existing = find(id); existing && existing->status().kind == kind) {
                existing->reconfigure(config);
                alarms.push_back(std::move(*existing));
            } else {
                alarms.emplace_back(kind, config);
            }
            const int index = static_cast<int>(alarms.size()) - 1;
            indexById.insert(id, index);
            indexesByTag[config.tag].append(index);
            if (!oldIds.contains(id))
                changed.append(id);
        }
    }
    m_alarms = std::move(alarms);
    m_indexById = std::move(indexById);
    m_indexesByTag = std::move(indexesByTag);
    // Timing of tags that are no longer watched would only go stale.
    for (auto it = m_timing.begin(); it != m_timing.end();) {
        if (m_indexesByTag.contains(it.key()))
            ++it;
        else
            it = m_timing.erase(it);
    }
    if (!changed.isEmpty())
        Q_EMIT alarmsChanged(changed);
    return true;
}

void AlarmEngine::update(const QString& tag, const Value& value, Quality quality, qint64 timeMs)
{
    const qint64 now = m_clock();
    QStringList changed;
    std::vector<AlarmTransition> transitions;
    evaluate(tag, value, quality, timeMs > 0 ? timeMs : now, now, changed, transitions);
    publish(changed, transitions);
}

void AlarmEngine::updateFromStore(const telemetry::TagStore& store, const QStringList& tags)
{
    QStringList changed;
    std::vector<AlarmTransition> transitions;
    for (const QString& tag : tags) {
        if (!m_indexesByTag.contains(tag))
            continue;
        const telemetry::TagState* state = store.state(tag);
        if (!state || !state->hasValue())
            continue;
        const qint64 arrived = state->receiveTimeMs > 0 ? state->receiveTimeMs : m_clock();
        const qint64 time = state->sourceTimeMs > 0 ? state->sourceTimeMs : arrived;
        evaluate(tag, state->value, store.effectiveQuality(*state), time, arrived, changed, transitions);
    }
    publish(changed, transitions);
}

void AlarmEngine::follow(telemetry::TagStore* store)
{
    if (!store)
        return;
    // The store as context: the connection ends with whichever object goes first.
    connect(store, &telemetry::TagStore::tagsChanged, this,
            [this, store](const QStringList& tags) { updateFromStore(*store, tags); });
}

void AlarmEngine::evaluate(const QString& tag, const Value& value, Quality quality, qint64 timeMs, qint64 arrivedMs,
                           QStringList& changed, std::vector<AlarmTransition>& out)
{
    const auto indexes = m_indexesByTag.constFind(tag);
    if (indexes == m_indexesByTag.constEnd())
        return;
    TagTiming& timing = m_timing[tag];
    if (timing.known && timeMs < timing.sampleMs)
        return; // a late sample: what came after it already decided
    timing = TagTiming{timeMs, arrivedMs, true};
    for (const int index : *indexes) {
        Alarm& alarm = m_alarms[static_cast<size_t>(index)];
        if (alarm.evaluate(value, quality, timeMs, out))
            changed.append(alarm.id());
    }
}

void AlarmEngine::tick(qint64 nowMs)
{
    QStringList changed;
    std::vector<AlarmTransition> transitions;
    for (Alarm& alarm : m_alarms) {
        const TagTiming timing = m_timing.value(alarm.status().tag);
        // The source's time now, estimated from its last sample; without one nothing is pending.
        const qint64 sourceNow = timing.known ? timing.sampleMs + std::max<qint64>(0, nowMs - timing.arrivedMs) : 0;
        if (alarm.elapse(sourceNow, nowMs, transitions))
            changed.append(alarm.id());
    }
    publish(changed, transitions);
}

void AlarmEngine::setTickInterval(int intervalMs)
{
    if (intervalMs <= 0) {
        if (m_tickTimer)
            m_tickTimer->stop();
        return;
    }
    if (!m_tickTimer) {
        m_tickTimer = new QTimer(this);
        connect(m_tickTimer, &QTimer::timeout, this, [this] { tick(m_clock()); });
    }
    m_tickTimer->start(intervalMs);
}

Result<bool> AlarmEngine::acknowledge(const QString& alarmId, const QString& by, qint64 atMs)
{
    return operatorAction(
        alarmId, [&](Alarm& alarm, std::vector<AlarmTransition>& out) { return alarm.acknowledge(by, atMs, out); });
}

Result<bool> AlarmEngine::shelve(const QString& alarmId, qint64 untilMs, const QString& by, const QString& reason)
{
    const qint64 now = m_clock();
    return operatorAction(alarmId, [&](Alarm& alarm, std::vector<AlarmTransition>& out) {
        return alarm.shelve(untilMs, by, reason, now, out);
    });
}

Result<bool> AlarmEngine::unshelve(const QString& alarmId, const QString& by)
{
    const qint64 now = m_clock();
    return operatorAction(
        alarmId, [&](Alarm& alarm, std::vector<AlarmTransition>& out) { return alarm.unshelve(by, now, out); });
}

Result<bool>
AlarmEngine::operatorAction(const QString& alarmId,
                            const std::function<Result<bool>(Alarm&, std::vector<AlarmTransition>&)>& action)
{
    Alarm* alarm = find(alarmId);
    if (!alarm)
        return Error{QStringLiteral("alarm.unknown"),
                     QStringLiteral("no alarm \"%1\"; alarm ids are TAG:HIHI, TAG:HI, TAG:LO, TAG:LOLO or TAG:STATE")
                         .arg(alarmId)};
    std::vector<AlarmTransition> transitions;
    Result<bool> result = action(*alarm, transitions);
    if (result)
        publish({alarmId}, transitions);
    return result;
}

Alarm* AlarmEngine::find(const QString& alarmId)
{
    const auto it = m_indexById.constFind(alarmId);
    return it == m_indexById.constEnd() ? nullptr : &m_alarms[static_cast<size_t>(it.value())];
}

void AlarmEngine::publish(const QStringList& changed, const std::vector<AlarmTransition>& transitions)
{
    for (const AlarmTransition& t : transitions)
        Q_EMIT transition(t);
    if (!changed.isEmpty())
        Q_EMIT alarmsChanged(changed);
}

QList<AlarmStatus> AlarmEngine::alarms() const
{
    QList<AlarmStatus> list;
    list.reserve(static_cast<qsizetype>(m_alarms.size()));
    for (const Alarm& alarm : m_alarms)
        list.append(alarm.status());
    return list;
}

std::optional<AlarmStatus> AlarmEngine::alarm(const QString& alarmId) const
{
    const auto it = m_indexById.constFind(alarmId);
    if (it == m_indexById.constEnd())
        return std::nullopt;
    return m_alarms[static_cast<size_t>(it.value())].status();
}

std::vector<const AlarmStatus*> AlarmEngine::statusesOf(const QString& tag) const
{
    std::vector<const AlarmStatus*> statuses;
    const auto it = m_indexesByTag.constFind(tag);
    if (it == m_indexesByTag.cend())
        return statuses;
    statuses.reserve(static_cast<size_t>(it->size()));
    for (const int index : *it)
        statuses.push_back(&m_alarms.at(static_cast<size_t>(index)).status());
    return statuses;
}

QStringList AlarmEngine::alarmIds(const QString& tag) const
{
    QStringList ids;
    for (const int index : m_indexesByTag.value(tag))
        ids.append(m_alarms[static_cast<size_t>(index)].id());
    return ids;
}

AlarmCounts AlarmEngine::counts() const
{
    AlarmCounts counts;
    for (const Alarm& alarm : m_alarms) {
        const AlarmStatus& s = alarm.status();
        AlarmCounts::PerPriority& p = counts.perPriority.at(static_cast<size_t>(s.priority));
        switch (s.state) {
        case AlarmState::Normal:
            break;
        case AlarmState::UnackActive:
            ++p.unackActive;
            break;
        case AlarmState::AckActive:
            ++p.ackActive;
            break;
        case AlarmState::UnackRtn:
            ++p.unackRtn;
            break;
        case AlarmState::Shelved:
            ++p.shelved;
            break;
        case AlarmState::Suppressed:
            ++p.suppressed;
            break;
        }
    }
    return counts;
}

QList<AlarmConfig> alarmConfigs(const Plant& plant)
{
    QList<AlarmConfig> configs;
    QSet<QString> seen;
    for (const Asset& asset : plant.assets) {
        for (const TagBinding& binding : asset.tags) {
            // The loader refuses a second `alarms` for one tag; a hand-built plant keeps the first.
            if (!binding.alarms || seen.contains(binding.tagId))
                continue;
            seen.insert(binding.tagId);
            AlarmConfig config = *binding.alarms;
            config.tag = binding.tagId;
            config.unit = binding.unit;
            configs.append(std::move(config));
        }
    }
    return configs;
}

} // namespace twinspect::alarms
