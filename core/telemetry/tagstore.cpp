// SPDX-License-Identifier: Apache-2.0
#include "telemetry/tagstore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace twinspect::telemetry {

namespace {

double numericValue(const Value& value)
{
    if (const auto* number = std::get_if<double>(&value))
        return *number;
    if (const auto* flag = std::get_if<bool>(&value))
        return *flag ? 1.0 : 0.0;
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

TagStore::TagStore(QObject* parent)
    : TagStore(Limits{}, parent)
{}

TagStore::TagStore(Limits limits, QObject* parent)
    : QObject(parent)
    , m_limits(limits)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_notifyTimer(new QTimer(this))
    , m_staleTimer(new QTimer(this))
{
    m_notifyTimer->setSingleShot(true);
    m_notifyTimer->setInterval(m_limits.notifyIntervalMs);
    connect(m_notifyTimer, &QTimer::timeout, this, &TagStore::flush);
    m_staleTimer->setInterval(1000);
    connect(m_staleTimer, &QTimer::timeout, this, &TagStore::checkStaleness);
    m_staleTimer->start();
}

TagStore::~TagStore() = default;

void TagStore::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

qint64 TagStore::now() const
{
    return m_clock();
}

TagStore::Entry* TagStore::entryFor(const QString& tag)
{
    auto it = m_states.find(tag);
    if (it != m_states.end())
        return &it.value();
    if (m_states.size() >= m_limits.maxTags) {
        ++m_refusedTags;
        return nullptr;
    }
    Entry entry;
    entry.state.tag = tag;
    return &m_states.insert(tag, std::move(entry)).value();
}

void TagStore::markDirty(Entry& entry)
{
    if (!entry.dirty) {
        entry.dirty = true;
        m_dirty.append(entry.state.tag);
    }
    if (!m_notifyTimer->isActive()) {
        // At most one notification per interval, but the first change after a quiet spell goes
        // out at once (end of this event-loop pass): an alarm should not wait for a frame tick.
        const qint64 sinceLast = m_sinceNotify.isValid() ? m_sinceNotify.elapsed() : m_limits.notifyIntervalMs;
        m_notifyTimer->start(
            int(std::clamp<qint64>(m_limits.notifyIntervalMs - sinceLast, 0, m_limits.notifyIntervalMs)));
    }
}

void TagStore::appendHistory(Entry& entry, const HistoryPoint& point)
{
    const auto capacity = static_cast<size_t>(m_limits.historyPerTag);
    if (capacity == 0)
        return;
    if (entry.ring.size() < capacity) {
        entry.ring.push_back(point);
        return;
    }
    entry.ring[static_cast<size_t>(entry.ringHead)] = point;
    entry.ringHead = (entry.ringHead + 1) % static_cast<qsizetype>(capacity);
}

void TagStore::ingest(const SampleBatch& samples, const QString& sourceId, qint64 defaultPeriodMs)
{
    for (const Sample& sample : samples) {
        Entry* entry = entryFor(sample.tag);
        if (!entry)
            continue;
        ++m_ingested;
        TagState& state = entry->state;
        if (state.updates == 0 && state.expectedPeriodMs == 0)
            state.expectedPeriodMs = defaultPeriodMs;
        const qint64 time = sample.sourceTimeMs != 0 ? sample.sourceTimeMs : sample.receiveTimeMs;
        appendHistory(*entry, {time, numericValue(sample.value), sample.quality});
        // A late sample (older than what is shown) goes to the history only: the newest claim
        // stands. A bad or untrusted sample is newest like any other and replaces a good value.
        const qint64 shownTime = state.sourceTimeMs != 0 ? state.sourceTimeMs : state.receiveTimeMs;
        if (state.updates > 0 && time < shownTime && sample.quality != Quality::Untrusted)
            continue;
        // A death or staleness notice keeps the last value but marks it: the value stays readable.
        if (!std::holds_alternative<std::monostate>(sample.value) || sample.quality == Quality::Bad ||
            state.updates == 0)
            state.value = sample.value;
        state.quality = sample.quality;
        state.authenticity = sample.authenticity;
        state.sourceTimeMs = sample.sourceTimeMs;
        state.receiveTimeMs = sample.receiveTimeMs;
        state.sourceId = sourceId;
        ++state.updates;
        entry->wasStale = false;
        markDirty(*entry);
    }
}

void TagStore::setExpectedPeriod(const QString& tag, qint64 periodMs)
{
    if (Entry* entry = entryFor(tag))
        entry->state.expectedPeriodMs = periodMs;
}

const TagState* TagStore::state(const QString& tag) const
{
    const auto it = m_states.constFind(tag);
    return it == m_states.constEnd() ? nullptr : &it.value().state;
}

Quality TagStore::effectiveQuality(const TagState& state) const
{
    if (state.updates == 0)
        return Quality::Stale;
    if (state.quality == Quality::Bad || state.quality == Quality::Untrusted)
        return state.quality;
    if (state.expectedPeriodMs > 0) {
        const auto limit = static_cast<qint64>(m_limits.staleFactor * static_cast<double>(state.expectedPeriodMs));
        if (now() - state.receiveTimeMs > limit)
            return Quality::Stale;
    }
    return state.quality;
}

std::vector<HistoryPoint> TagStore::history(const QString& tag) const
{
    const auto it = m_states.constFind(tag);
    if (it == m_states.constEnd())
        return {};
    const Entry& entry = it.value();
    std::vector<HistoryPoint> ordered;
    ordered.reserve(entry.ring.size());
    const auto head = static_cast<size_t>(entry.ringHead);
    ordered.insert(ordered.end(), entry.ring.begin() + static_cast<std::ptrdiff_t>(head), entry.ring.end());
    ordered.insert(ordered.end(), entry.ring.begin(), entry.ring.begin() + static_cast<std::ptrdiff_t>(head));
    return ordered;
}

QStringList TagStore::tags() const
{
    return m_states.keys();
}

void TagStore::checkStaleness()
{
    for (auto it = m_states.begin(); it != m_states.end(); ++it) {
        Entry& entry = it.value();
        if (entry.state.updates == 0 || entry.state.expectedPeriodMs <= 0)
            continue;
        const bool stale = effectiveQuality(entry.state) == Quality::Stale && entry.state.quality != Quality::Stale;
        if (stale != entry.wasStale) {
            entry.wasStale = stale;
            markDirty(entry);
        }
    }
}

void TagStore::flush()
{
    m_notifyTimer->stop();
    if (m_dirty.isEmpty())
        return;
    m_sinceNotify.start();
    QStringList changed;
    changed.swap(m_dirty);
    for (const QString& tag : changed) {
        const auto it = m_states.find(tag);
        if (it != m_states.end())
            it.value().dirty = false;
    }
    Q_EMIT tagsChanged(changed);
}

} // namespace twinspect::telemetry
