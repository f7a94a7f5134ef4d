// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to scenes/: TwinView's state, shared by its files (twinview.cpp, twinview_input.cpp).

#include "assetpicker.h"
#include "instancedtile.h"
#include "meshasset.h"
#include "orbitcamera.h"
#include "scenelayout.h"
#include "twinview.h"

#include <QHash>
#include <QPointer>
#include <Qt3DExtras/QPhongMaterial>
#include <Qt3DExtras/Qt3DWindow>
#include <Qt3DRender/QCamera>
#include <QTimer>
#include <QtMath>

#include <cmath>
#include <memory>
#include <vector>

namespace twinspect::scenes {

namespace detail {

constexpr int kInstancesPerTile = 1024;

struct Slot
{
    int tile = -1;
    int index = -1;
};

/// A zero matrix collapses an instance to a point: hidden without touching any entity.
inline const QMatrix4x4& hiddenModel()
{
    static const QMatrix4x4 zero(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    return zero;
}

inline QVector3D translationOf(const QMatrix4x4& m)
{
    return m.column(3).toVector3D();
}

} // namespace detail
using namespace detail;

struct TwinView::Private
{
    Qt3DExtras::Qt3DWindow* window = nullptr;
    QPointer<QWindow> windowGuard; ///< nulled if a window container deleted the window first
    Qt3DCore::QEntity* root = nullptr;
    Qt3DCore::QEntity* sceneRoot = nullptr;
    TileMaterials materials;
    OrbitCamera* camera = nullptr;
    QTimer flushTimer;
    BuildMode mode = BuildMode::Instanced;
    QString cacheDirectory;

    std::shared_ptr<const Plant> plant;
    SceneLayout layout;
    AssetPicker picker;
    QHash<QString, int> itemById;
    std::vector<std::unique_ptr<InstancedTile>> tiles;
    std::vector<Qt3DExtras::QPhongMaterial*> naiveMaterials; ///< per instance, naive mode only
    QList<QList<Slot>> slots;                                ///< per item
    QList<AssetAppearance> appearances;                      ///< per item
    QList<bool> hidden;                                      ///< per item, for picking
    QHash<int, MeshAsset*> meshes;                           ///< item -> mesh entity
    int selected = -1;
    int entitiesCreated = 0;
    QList<QVector3D> fitPoints; ///< item bound corners, computed on the first fit
    bool inputEnabled = true;
    /// Until the user moves the camera, a resized window re-fits the plant.
    bool autoFit = true;

    // Mouse gesture state.
    QPointF pressPos;
    QPointF lastPos;
    Qt::MouseButton pressButton = Qt::NoButton;
    bool dragged = false;

    QColor drawnColor(int item) const
    {
        if (item == selected)
            return TwinView::highlightColor();
        return appearances.at(item).color;
    }

    bool instanceVisible(int item) const
    {
        const SceneItem& s = layout.items.at(item);
        if (!appearances.at(item).visible)
            return false;
        return !s.isMesh || s.isPlaceholder; // a loaded mesh draws itself; its box slot stays hidden
    }

    QList<QList<int>> instancesOfItem; ///< per item: its instances in layout.instances, parallel to slots

    void refresh(int item)
    {
        if (item < 0 || item >= layout.items.size())
            return;
        const QColor color = drawnColor(item);
        const bool visible = instanceVisible(item);
        const QList<Slot>& itemSlots = slots.at(item);
        const QList<int>& instances = instancesOfItem.at(item);
        for (qsizetype k = 0; k < itemSlots.size(); ++k) {
            const Slot& slot = itemSlots.at(k);
            const InstanceSpec& spec = layout.instances.at(instances.at(k));
            if (mode == BuildMode::Naive) {
                naiveMaterials.at(static_cast<size_t>(slot.index))->setDiffuse(color);
                continue;
            }
            InstancedTile& tile = *tiles.at(static_cast<size_t>(slot.tile));
            tile.setModel(slot.index, visible ? spec.model : hiddenModel());
            tile.setColor(slot.index, color);
            tile.setPattern(slot.index, appearances.at(item).pattern);
        }
        if (MeshAsset* mesh = meshes.value(item)) {
            mesh->setColor(color);
            mesh->setVisible(appearances.at(item).visible && !layout.items.at(item).isPlaceholder);
        }
        hidden[item] = !appearances.at(item).visible;
        flushTimer.start();
    }

    void flush()
    {
        for (const auto& tile : tiles)
            tile->flush();
    }

    /// Level of detail per tile from the camera; runs on every camera or window change.
    void updateLevels()
    {
        if (tiles.empty())
            return;
        const Qt3DRender::QCamera* cam = window->camera();
        const float pixelsPerMetre =
            float(std::max(1, window->height())) / 2.0f / std::tan(qDegreesToRadians(cam->fieldOfView()) / 2.0f);
        // The lens aspect follows the window only once Qt 3D has processed a resize.
        QMatrix4x4 projection;
        projection.perspective(cam->fieldOfView(),
                               float(std::max(1, window->width())) / float(std::max(1, window->height())),
                               cam->nearPlane(), cam->farPlane());
        const QMatrix4x4 viewProjection = projection * cam->viewMatrix();
        for (const auto& tile : tiles) {
            tile->chooseLevel(cam->position(), pixelsPerMetre);
            tile->setCulled(!tile->intersectsFrustum(viewProjection));
        }
    }
};

} // namespace twinspect::scenes
