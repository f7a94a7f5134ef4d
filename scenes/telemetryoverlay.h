// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "overlaystyle.h"
#include "telemetry/sample.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <memory>

class QTimer;

namespace twinspect {
struct Plant;
namespace alarms {
class AlarmEngine;
}
namespace telemetry {
class TagStore;
}
} // namespace twinspect

namespace twinspect::scenes {

class TwinView;

/// Paints live state onto the twin: each asset's condition (its bound tags' alarms and data
/// quality) becomes its colour and pattern through TwinView's instanced appearance path
/// (overlayLook()). Never per sample: changed tags and alarms mark assets dirty, and dirty assets
/// are applied at most once per frame. Unacknowledged alarms blink until acknowledged.
///
/// An asset whose tags have not reported is shown stale: "no data" is never shown as good.
/// Without sources (no telemetry configured) the twin keeps its neutral look.
class TelemetryOverlay : public QObject
{
    Q_OBJECT
public:
    explicit TelemetryOverlay(TwinView* view, QObject* parent = nullptr);
    ~TelemetryOverlay() override;

    /// The tag store and alarm engine to follow (not owned; either may be null).
    void setSources(const telemetry::TagStore* store, const alarms::AlarmEngine* engine);
    /// The plant now in the view (call after TwinView::setPlant); every asset is re-evaluated.
    void setPlant(std::shared_ptr<const Plant> plant);
    /// Half a blink period; 0 stops blinking (alarms then show steadily).
    void setBlinkIntervalMs(int intervalMs);
    bool blinkOn() const { return m_blinkOn; }
    /// The shortest time between two applications (default: one frame at 60 Hz).
    void setMinimumApplyIntervalMs(int intervalMs) { m_minApplyMs = intervalMs; }

    AssetCondition condition(const QString& assetId) const;
    /// Assets with an active or unacknowledged alarm, most urgent first.
    QStringList alarmedAssets() const;
    /// Assets bound to a tag, in plant order.
    QStringList assetsOfTag(const QString& tag) const;
    /// How many times dirty assets were applied to the view, and how many asset looks were set.
    int applications() const { return m_applications; }
    qint64 assetsApplied() const { return m_assetsApplied; }

Q_SIGNALS:
    /// After an application: the assets whose condition changed (for labels and legends).
    void conditionsChanged(const QStringList& assetIds);

private:
    void markTags(const QStringList& tags);
    void markAssetsOfTags(const QStringList& tags);
    void markAlarms(const QStringList& alarmIds);
    void markAll();
    void schedule();
    void apply();
    void toggleBlink();
    AssetCondition evaluate(int asset) const;

    TwinView* m_view;
    const telemetry::TagStore* m_store = nullptr;
    const alarms::AlarmEngine* m_engine = nullptr;
    std::shared_ptr<const Plant> m_plant;
    QHash<QString, QList<int>> m_assetsByTag;
    QHash<QString, int> m_assetIndex;
    QHash<QString, telemetry::Quality> m_tagQuality; ///< as last seen, per bound tag
    QList<AssetCondition> m_conditions;              ///< per asset, as last applied
    QSet<int> m_dirty;
    QSet<int> m_blinking; ///< assets with an unacknowledged alarm
    QTimer* m_applyTimer;
    QTimer* m_blinkTimer;
    qint64 m_lastApplyMs = -1'000'000;
    int m_minApplyMs = 16;
    bool m_blinkOn = true;
    bool m_blinkEnabled = true;
    int m_applications = 0;
    qint64 m_assetsApplied = 0;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace twinspect::scenes
