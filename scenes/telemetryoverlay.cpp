// SPDX-License-Identifier: Apache-2.0
#include "telemetryoverlay.h"

#include "alarms/alarmengine.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"
#include "twinview.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace twinspect::scenes {

namespace {

qint64 monotonicMs()
{
    static const QElapsedTimer started = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return started.elapsed();
}

} // namespace

TelemetryOverlay::TelemetryOverlay(TwinView* view, QObject* parent)
    : QObject(parent)
    , m_view(view)
    , m_applyTimer(new QTimer(this))
    , m_blinkTimer(new QTimer(this))
{
    m_applyTimer->setSingleShot(true);
    connect(m_applyTimer, &QTimer::timeout, this, &TelemetryOverlay::apply);
    // ISA-101 practice: a slow blink (1 Hz) draws the eye without strobing.
    m_blinkTimer->setInterval(500);
    connect(m_blinkTimer, &QTimer::timeout, this, &TelemetryOverlay::toggleBlink);
}

TelemetryOverlay::~TelemetryOverlay() = default;

void TelemetryOverlay::setSources(const telemetry::TagStore* store, const alarms::AlarmEngine* engine)
{
    for (const QMetaObject::Connection& c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_store = store;
    m_engine = engine;
    if (store) {
        m_connections.append(connect(store, &telemetry::TagStore::tagsChanged, this, &TelemetryOverlay::markTags));
        m_connections.append(connect(store, &QObject::destroyed, this, [this] { setSources(nullptr, m_engine); }));
    }
    if (engine) {
        m_connections.append(connect(engine, &alarms::AlarmEngine::alarmsChanged, this, &TelemetryOverlay::markAlarms));
        m_connections.append(connect(engine, &QObject::destroyed, this, [this] { setSources(m_store, nullptr); }));
    }
    markAll();
}

void TelemetryOverlay::setPlant(std::shared_ptr<const Plant> plant)
{
    m_plant = std::move(plant);
    m_assetsByTag.clear();
    m_assetIndex.clear();
    m_conditions.clear();
    m_blinking.clear();
    m_dirty.clear();
    if (m_plant) {
        const qsizetype count = m_plant->assets.size();
        m_conditions.resize(count);
        m_assetIndex.reserve(count);
        for (qsizetype i = 0; i < count; ++i) {
            m_assetIndex.insert(m_plant->assets.at(i).id, static_cast<int>(i));
            for (const TagBinding& binding : m_plant->assets.at(i).tags)
                m_assetsByTag[binding.tagId].append(static_cast<int>(i));
        }
    }
    markAll();
}

void TelemetryOverlay::setBlinkIntervalMs(int intervalMs)
{
    m_blinkEnabled = intervalMs > 0;
    if (m_blinkEnabled)
        m_blinkTimer->setInterval(intervalMs);
    if (!m_blinkEnabled) {
        m_blinkTimer->stop();
        if (!m_blinkOn)
            toggleBlink();
    } else if (!m_blinking.isEmpty()) {
        m_blinkTimer->start();
    }
}

AssetCondition TelemetryOverlay::condition(const QString& assetId) const
{
    const int index = m_assetIndex.value(assetId, -1);
    return index < 0 ? AssetCondition{} : m_conditions.value(index);
}

QStringList TelemetryOverlay::alarmedAssets() const
{
    if (!m_plant)
        return {};
    QList<int> alarmed;
    for (qsizetype i = 0; i < m_conditions.size(); ++i) {
        if (m_conditions.at(i).alarmed)
            alarmed.append(static_cast<int>(i));
    }
    std::stable_sort(alarmed.begin(), alarmed.end(), [this](int a, int b) {
        const AssetCondition& x = m_conditions.at(a);
        const AssetCondition& y = m_conditions.at(b);
        if (x.priority != y.priority)
            return x.priority > y.priority;
        return x.unacknowledged && !y.unacknowledged;
    });
    QStringList ids;
    ids.reserve(alarmed.size());
    for (const int i : std::as_const(alarmed))
        ids.append(m_plant->assets.at(i).id);
    return ids;
}

QStringList TelemetryOverlay::assetsOfTag(const QString& tag) const
{
    QStringList ids;
    if (!m_plant)
        return ids;
    for (const int i : m_assetsByTag.value(tag))
        ids.append(m_plant->assets.at(i).id);
    return ids;
}

void TelemetryOverlay::markTags(const QStringList& tags)
{
    // A new value matters to the look only when it changes the tag's data quality (alarms arrive
    // through markAlarms): under a heavy feed most samples change nothing on screen.
    bool any = false;
    for (const QString& tag : tags) {
        const auto it = m_assetsByTag.constFind(tag);
        if (it == m_assetsByTag.cend())
            continue;
        const telemetry::TagState* state = m_store ? m_store->state(tag) : nullptr;
        const telemetry::Quality quality =
            state && state->hasValue() ? m_store->effectiveQuality(*state) : telemetry::Quality::Stale;
        auto known = m_tagQuality.find(tag);
        if (known != m_tagQuality.end() && *known == quality)
            continue;
        m_tagQuality.insert(tag, quality);
        for (const int asset : *it)
            m_dirty.insert(asset);
        any = true;
    }
    if (any)
        schedule();
}

void TelemetryOverlay::markAssetsOfTags(const QStringList& tags)
{
    bool any = false;
    for (const QString& tag : tags) {
        const auto it = m_assetsByTag.constFind(tag);
        if (it == m_assetsByTag.cend())
            continue;
        for (const int asset : *it)
            m_dirty.insert(asset);
        any = true;
    }
    if (any)
        schedule();
}

void TelemetryOverlay::markAlarms(const QStringList& alarmIds)
{
    QStringList tags;
    tags.reserve(alarmIds.size());
    for (const QString& id : alarmIds)
        tags.append(id.section(QLatin1Char(':'), 0, 0)); // "TAG:HI": the tag (tag ids may not hold ':')
    markAssetsOfTags(tags);
}

void TelemetryOverlay::markAll()
{
    m_tagQuality.clear();
    if (!m_plant)
        return;
    for (qsizetype i = 0; i < m_plant->assets.size(); ++i)
        m_dirty.insert(static_cast<int>(i));
    schedule();
}

void TelemetryOverlay::schedule()
{
    if (m_applyTimer->isActive())
        return;
    // At most once per frame: changes arriving sooner than that wait for the next frame's turn.
    const qint64 wait = m_lastApplyMs + m_minApplyMs - monotonicMs();
    m_applyTimer->start(static_cast<int>(std::clamp<qint64>(wait, 0, m_minApplyMs)));
}

AssetCondition TelemetryOverlay::evaluate(int asset) const
{
    AssetCondition c;
    if (!m_store && !m_engine)
        return c; // no telemetry: nothing to say about the asset
    for (const TagBinding& binding : m_plant->assets.at(asset).tags) {
        if (m_store) {
            const telemetry::TagState* state = m_store->state(binding.tagId);
            const telemetry::Quality quality =
                state && state->hasValue() ? m_store->effectiveQuality(*state) : telemetry::Quality::Stale;
            c.stale = c.stale || quality == telemetry::Quality::Stale;
            c.bad = c.bad || quality == telemetry::Quality::Bad;
            c.untrusted = c.untrusted || quality == telemetry::Quality::Untrusted;
        }
        if (!m_engine)
            continue;
        for (const alarms::AlarmStatus* status : m_engine->statusesOf(binding.tagId)) {
            if (!(status->isActive() || status->state == alarms::AlarmState::UnackRtn))
                continue;
            if (!c.alarmed || status->priority > c.priority) {
                c.priority = status->priority;
                c.alarmTag = binding.tagId;
            }
            c.alarmed = true;
            c.unacknowledged = c.unacknowledged || status->isUnacknowledged();
        }
    }
    return c;
}

void TelemetryOverlay::apply()
{
    m_lastApplyMs = monotonicMs();
    if (!m_plant || m_dirty.isEmpty())
        return;
    ++m_applications;
    QSet<int> dirty = std::exchange(m_dirty, {});
    QHash<int, AssetCondition> evaluated;
    evaluated.reserve(dirty.size());
    bool newAlarm = false;
    for (const int asset : std::as_const(dirty)) {
        const AssetCondition condition = evaluate(asset);
        evaluated.insert(asset, condition);
        if (condition.alarmed && condition.unacknowledged) {
            newAlarm = newAlarm || !m_blinking.contains(asset);
            m_blinking.insert(asset);
        } else {
            m_blinking.remove(asset);
        }
    }
    // A new alarm shows at once: the blink restarts in its on phase, with every blinking asset in
    // step, rather than leaving the new one grey for up to half a period.
    const bool restartBlink = newAlarm && m_blinkEnabled && !m_blinkOn;
    if (restartBlink) {
        m_blinkOn = true;
        for (const int asset : std::as_const(m_blinking)) {
            if (!evaluated.contains(asset))
                evaluated.insert(asset, m_conditions.at(asset));
        }
    }
    if (m_blinking.isEmpty()) {
        m_blinkTimer->stop();
        m_blinkOn = true;
    } else if (m_blinkEnabled && (restartBlink || !m_blinkTimer->isActive())) {
        m_blinkTimer->start();
    }
    QStringList changed;
    for (auto it = evaluated.cbegin(); it != evaluated.cend(); ++it) {
        const int asset = it.key();
        const QString& id = m_plant->assets.at(asset).id;
        m_view->setAssetAppearance(id, overlayLook(m_view->neutralColor(id), it.value(), m_blinkOn));
        ++m_assetsApplied;
        if (it.value() != m_conditions.at(asset)) {
            m_conditions[asset] = it.value();
            changed.append(id);
        }
    }
    if (!changed.isEmpty())
        Q_EMIT conditionsChanged(changed);
}

void TelemetryOverlay::toggleBlink()
{
    m_blinkOn = !m_blinkOn;
    for (const int asset : std::as_const(m_blinking))
        m_dirty.insert(asset);
    schedule();
}

} // namespace twinspect::scenes
