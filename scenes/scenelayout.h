// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QList>
#include <QMatrix4x4>
#include <QString>
#include <QVector3D>

namespace twinspect {
struct Plant;
}

namespace twinspect::scenes {

/// The unit shapes instanced batches draw; every instance scales one of these.
enum class Shape { Box, Cylinder, Sphere, Count };

/// One drawn piece of an item: a unit shape placed by a model matrix.
struct InstanceSpec
{
    Shape shape = Shape::Box;
    QMatrix4x4 model;
    int item = -1;
};

/// Something the user can select: an asset or a pipe.
struct SceneItem
{
    QString id;
    bool isPipe = false;
    int assetIndex = -1; ///< into Plant::assets, or -1 for pipes
    int pipeIndex = -1;
    QColor baseColor;
    QVector3D boundsMin; ///< world-space bounds of all its pieces
    QVector3D boundsMax;
    bool isMesh = false;        ///< drawn from a mesh file, not instanced
    bool isPlaceholder = false; ///< mesh that could not be shown
    QMatrix4x4 meshModel;       ///< asset transform, for mesh items
};

/// Everything the view draws, computed from a plant without touching the GPU, so that the
/// geometry (pipe segments, orientations, bounds) is unit-testable.
struct SceneLayout
{
    QList<SceneItem> items;
    QList<InstanceSpec> instances;
    QVector3D boundsMin;
    QVector3D boundsMax;
};

SceneLayout buildSceneLayout(const Plant& plant);

/// Model matrix of an asset transform (translate * Rz * Ry * Rx * scale).
QMatrix4x4 assetMatrix(const Plant& plant, int assetIndex);

/// The neutral default look of an asset type.
QColor defaultColorForType(const QString& type);

QColor placeholderColor();

} // namespace twinspect::scenes
