// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace twinspect {

/// Plain 3-vector in plant coordinates (metres, Y up). core has no QtGui, so no QVector3D here.
struct Vec3
{
    double x = 0.0;
    double y = 0.0;
    double z = 0.0;
    friend bool operator==(const Vec3&, const Vec3&) = default;
};

/// Placement of an asset: translate(position) * rotate(Z) * rotate(Y) * rotate(X) * scale.
struct Transform
{
    Vec3 position;
    Vec3 rotationDegrees;
    Vec3 scale{1.0, 1.0, 1.0};
};

enum class PrimitiveKind { Box, Cylinder, Sphere };

QString primitiveName(PrimitiveKind kind);

/// What a mesh file turned out to be when the loader looked at it.
struct MeshInfo
{
    enum class Format { Gltf, Glb, Obj, Stl };
    Format format = Format::Gltf;
    QString absolutePath; ///< resolved against the plant file's folder
    QString declaredPath; ///< as written in the plant file
    QString node;         ///< optional mesh (glTF) or object/group (OBJ) name inside the file
    Vec3 boundsMin;       ///< local bounds, read from the file (glTF accessors, OBJ/STL vertices)
    Vec3 boundsMax;
    bool boundsKnown = false;
};

/// Either a built-in primitive with its extents, or a mesh file.
struct Geometry
{
    bool isMesh = false;
    PrimitiveKind primitive = PrimitiveKind::Box;
    /// Outer size along X, Y, Z in metres (box: size; cylinder: 2r, height, 2r; sphere: 2r each).
    Vec3 extent{1.0, 1.0, 1.0};
    MeshInfo mesh;
};

struct TagBinding
{
    QString tagId;
    QString role; ///< flow, pressure, level, temperature, state, ...
    QString unit;
    std::optional<double> rangeMin;
    std::optional<double> rangeMax;
    /// The tag's alarms (docs/plant-format.md, "Alarms"); tag and unit are those of this binding.
    std::optional<::twinspect::alarms::AlarmConfig> alarms;
};

struct MetadataEntry
{
    QString key;
    QString value; ///< scalars as text; nested values as compact JSON
};

struct Asset
{
    QString id;
    QString name;
    QString type; ///< canonical lower-case type, see assetTypes()
    int areaIndex = -1;
    int unitIndex = -1; ///< index into Area::units
    Transform transform;
    Geometry geometry;
    QList<TagBinding> tags;
    QList<MetadataEntry> metadata;
    /// Set when this asset cannot be shown as declared (a broken or missing mesh): the asset is
    /// drawn as a placeholder and the problem is listed. Empty when the asset is fine.
    QString problem;
};

struct Pipe
{
    QString id;
    QString name;
    QString fromAssetId;
    QString toAssetId;
    double diameter = 0.1;
    QList<Vec3> waypoints; ///< between the two assets' positions
    QList<MetadataEntry> metadata;
};

struct Unit
{
    QString id;
    QString name;
    QList<int> assetIndexes;
};

struct Area
{
    QString id;
    QString name;
    QList<Unit> units;
};

struct Plant
{
    int formatVersion = 1;
    QString sourceFile;
    QString siteId;
    QString siteName;
    QString description;
    QList<MetadataEntry> metadata;
    QList<Area> areas;
    QList<Asset> assets;
    QList<Pipe> pipes;

    /// Index of the asset with this id, or -1.
    int assetIndex(const QString& id) const { return m_assetIndexById.value(id, -1); }
    const Asset* asset(const QString& id) const;
    void rebuildIndex();

    /// The full route of a pipe: start asset centre, waypoints, end asset centre.
    QList<Vec3> pipeRoute(const Pipe& pipe) const;

private:
    QHash<QString, int> m_assetIndexById;
};

/// The asset types the format knows (docs/plant-format.md).
const QList<QString>& assetTypes();

/// The tag roles the format knows.
const QList<QString>& tagRoles();

} // namespace twinspect
