// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QList>
#include <QRasterWindow>
#include <QRect>
#include <QSet>
#include <QStringList>

#include <memory>

class QTimer;

namespace twinspect {
struct Plant;
namespace scenes {
class TelemetryOverlay;
class TwinView;
} // namespace scenes
namespace telemetry {
class TagStore;
}
} // namespace twinspect

namespace twinspect::ui {

/// Labels above assets in the 3D view: asset id, its first tag's value and unit, and what is wrong
/// (alarm, stale, bad, untrusted). Shown for the selected asset, for alarmed assets, and for every
/// asset in view on demand; placed most important first so that none overlaps another.
///
/// Qt 3D draws into a native window that covers sibling widgets, so this layer is a child window
/// of the 3D window itself (children always stack above their parent), shaped to the labels'
/// rectangles: the 3D view shows everywhere else and keeps its mouse input. A click on a label
/// selects its asset. Owned by the 3D window.
class LabelLayer : public QRasterWindow
{
    Q_OBJECT
public:
    explicit LabelLayer(scenes::TwinView* view);
    ~LabelLayer() override;

    /// What to label and where values come from (not owned; any may be null).
    void setSources(std::shared_ptr<const Plant> plant, const telemetry::TagStore* store,
                    const scenes::TelemetryOverlay* overlay);
    void setSelectedAsset(const QString& id);
    /// Labels for every asset in view (those that fit without overlapping), not only the
    /// selection and alarms.
    void setShowAll(bool showAll);
    bool showAll() const { return m_showAll; }
    /// Most labels drawn at once.
    void setMaximumLabels(int count) { m_maxLabels = count; }

    /// Assets labelled now, and where (3D window coordinates), for tests.
    QStringList shownAssets() const;
    QRect labelRect(const QString& assetId) const;
    QString labelText(const QString& assetId) const;

Q_SIGNALS:
    void assetClicked(const QString& id);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    struct Label
    {
        QString assetId;
        QString text;
        QString note; ///< "HI", "stale", ... drawn apart in the label
        QRect rect;
        QColor stripe; ///< alarm colour, or invalid
    };
    void scheduleLayout();
    void relayout();
    void onTagsChanged(const QStringList& tags);
    Label makeLabel(int assetIndex) const;

    scenes::TwinView* m_view;
    std::shared_ptr<const Plant> m_plant;
    const telemetry::TagStore* m_store = nullptr;
    const scenes::TelemetryOverlay* m_overlay = nullptr;
    QHash<QString, int> m_assetIndex;
    QString m_selected;
    bool m_showAll = false;
    int m_maxLabels = 150;
    QList<Label> m_labels;
    QSet<QString> m_labelledTags; ///< the tags of the assets labelled now
    QPoint m_origin;              ///< this window's position in the 3D window
    QTimer* m_layoutTimer;
    QTimer* m_valueTimer;
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace twinspect::ui
