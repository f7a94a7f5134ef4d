// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "appearance.h"

#include <QColor>
#include <QObject>
#include <QPoint>
#include <QPointF>
#include <QString>

#include <memory>
#include <optional>

class QImage;
class QWindow;

namespace twinspect {
struct Plant;
}

namespace twinspect::scenes {

/// The 3D twin: renders a plant with instanced batches, owns the camera, answers picks.
/// This is the only door into Qt 3D: no Qt 3D type appears in this header, so ui/ and app/
/// stay independent of the renderer.
///
/// Threading: GUI thread only. Appearance changes are collected and uploaded once per frame.
class TwinView : public QObject
{
    Q_OBJECT
public:
    enum class BuildMode
    {
        Instanced, ///< one draw per unit shape per spatial tile (the product)
        Naive      ///< one entity, mesh and material per item: the benchmark baseline only
    };

    explicit TwinView(QObject* parent = nullptr);
    ~TwinView() override;

    /// The native 3D window; embed it with QWidget::createWindowContainer.
    QWindow* window() const;

    void setBuildMode(BuildMode mode);
    /// Where converted mesh files (GLB unpacked for Qt 3D) are kept; default: the user's cache.
    void setCacheDirectory(const QString& path);
    /// Builds the scene for a plant (or clears it for nullptr). Mesh files load asynchronously.
    void setPlant(std::shared_ptr<const Plant> plant);
    std::shared_ptr<const Plant> plant() const;

    QString selectedItem() const;
    /// Highlights one asset or pipe ("" clears). Does not move the camera.
    void setSelectedItem(const QString& id);
    void setAssetAppearance(const QString& id, const AssetAppearance& appearance);
    AssetAppearance assetAppearance(const QString& id) const;
    /// The neutral colour of the item's type (or the placeholder colour): what it shows when normal.
    QColor neutralColor(const QString& id) const;
    /// Back to the neutral look of the item's type (or the placeholder look).
    void resetAssetAppearance(const QString& id);
    /// Colour and pattern actually given to the GPU for an item right now (appearance or highlight).
    QColor drawnColor(const QString& id) const;
    SurfacePattern drawnPattern(const QString& id) const;
    static QColor highlightColor();

    void fitAll(bool animated = true);
    void flyTo(const QString& id, bool animated = true);
    void orbit(float yawDegrees, float pitchDegrees);
    void zoom(float factor);
    void pan(float rightFraction, float upFraction);
    bool isCameraAnimating() const;

    /// Item under a window pixel (top-left origin), or "".
    QString itemAt(const QPointF& windowPos) const;
    /// Where an item's centre appears in the window, if it is in front of the camera.
    std::optional<QPointF> projectedCenter(const QString& id) const;
    /// Where the top centre of an item's bounds appears (labels sit there), if in front and on screen.
    std::optional<QPointF> projectedTop(const QString& id) const;

    /// Continuous rendering for benchmarks; the default renders only on change (~3 % CPU idle).
    void setContinuousRendering(bool continuous);
    /// While false (a locked session), the view stays visible but ignores mouse and keys.
    void setInputEnabled(bool enabled);
    /// Reads back the window's pixels (QScreen::grabWindow; QWidget::grab leaves 3D blank).
    QImage grabFrame() const;

    /// Counts for tests and benchmarks: entities drawing now (one per draw call), all entities
    /// under the scene, and how many were ever created for this plant.
    int drawEntityCount() const;
    int entityCount() const;
    int entitiesCreated() const;
    /// Tiles outside the camera's view right now (drawing nothing).
    int culledTiles() const;
    /// Items whose mesh failed to load at render time and are shown as placeholders.
    QStringList placeholderItems() const;

Q_SIGNALS:
    void itemClicked(const QString& id);   ///< "" for a click on empty space
    void itemActivated(const QString& id); ///< double click
    /// Right click without dragging ("" on empty space), or the Menu key / Shift+F10 for the
    /// selected item; `globalPos` is where the menu should open.
    void contextMenuRequested(const QString& id, const QPoint& globalPos);
    void meshFailed(const QString& assetId, const QString& message);
    void frameTicked(float seconds); ///< once per rendered frame, with the frame time
    void cameraChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace twinspect::scenes
