// SPDX-License-Identifier: Apache-2.0
#include "scenelayout.h"

#include "plant/plant.h"

#include <QHash>

#include <cmath>
#include <limits>

namespace twinspect::scenes {

namespace {

QVector3D toQt(const Vec3& v)
{
    return QVector3D(static_cast<float>(v.x), static_cast<float>(v.y), static_cast<float>(v.z));
}

void uniteBounds(QVector3D& lo, QVector3D& hi, const QVector3D& p)
{
    lo = QVector3D(std::min(lo.x(), p.x()), std::min(lo.y(), p.y()), std::min(lo.z(), p.z()));
    hi = QVector3D(std::max(hi.x(), p.x()), std::max(hi.y(), p.y()), std::max(hi.z(), p.z()));
}

/// World bounds of the unit cube [-0.5, 0.5]^3 under a model matrix.
void uniteTransformedUnitBox(QVector3D& lo, QVector3D& hi, const QMatrix4x4& model)
{
    for (int corner = 0; corner < 8; ++corner) {
        const QVector3D local((corner & 1) ? 0.5f : -0.5f, (corner & 2) ? 0.5f : -0.5f, (corner & 4) ? 0.5f : -0.5f);
        uniteBounds(lo, hi, model.map(local));
    }
}

/// Rotation taking +Y onto `direction` (unit length).
QQuaternion rotationFromY(const QVector3D& direction)
{
    return QQuaternion::rotationTo(QVector3D(0, 1, 0), direction);
}

constexpr float kInf = std::numeric_limits<float>::infinity();

} // namespace

QColor defaultColorForType(const QString& type)
{
    // Neutral greys with a faint tint per family (ISA-101 style: colour is kept for abnormal states).
    static const QHash<QString, QColor> colors{
        {QStringLiteral("tank"), QColor(0xb8, 0xbc, 0xc2)},
        {QStringLiteral("vessel"), QColor(0xb8, 0xbc, 0xc2)},
        {QStringLiteral("column"), QColor(0xb0, 0xb4, 0xba)},
        {QStringLiteral("pump"), QColor(0x8a, 0x94, 0xa3)},
        {QStringLiteral("motor"), QColor(0x7f, 0x88, 0x95)},
        {QStringLiteral("compressor"), QColor(0x7f, 0x88, 0x95)},
        {QStringLiteral("valve"), QColor(0x9a, 0x9a, 0x8c)},
        {QStringLiteral("sensor"), QColor(0xd0, 0xd0, 0xd0)},
        {QStringLiteral("switch"), QColor(0xc8, 0xc8, 0xc8)},
        {QStringLiteral("heat-exchanger"), QColor(0xa4, 0x9c, 0x96)},
        {QStringLiteral("heater"), QColor(0xa8, 0x98, 0x90)},
        {QStringLiteral("condenser"), QColor(0x96, 0xa0, 0xa8)},
        {QStringLiteral("cooler"), QColor(0x96, 0xa0, 0xa8)},
        {QStringLiteral("pipe"), QColor(0x78, 0x7e, 0x86)},
        {QStringLiteral("structure"), QColor(0x6c, 0x70, 0x74)},
    };
    return colors.value(type, QColor(0xa0, 0xa0, 0xa0));
}

QColor placeholderColor()
{
    return QColor(0x9c, 0x6b, 0xb0);
}

QMatrix4x4 assetMatrix(const Plant& plant, int assetIndex)
{
    const Transform& t = plant.assets.at(assetIndex).transform;
    QMatrix4x4 m;
    m.translate(toQt(t.position));
    m.rotate(static_cast<float>(t.rotationDegrees.z), 0, 0, 1);
    m.rotate(static_cast<float>(t.rotationDegrees.y), 0, 1, 0);
    m.rotate(static_cast<float>(t.rotationDegrees.x), 1, 0, 0);
    m.scale(toQt(t.scale));
    return m;
}

SceneLayout buildSceneLayout(const Plant& plant)
{
    SceneLayout layout;
    layout.items.reserve(plant.assets.size() + plant.pipes.size());
    layout.instances.reserve(plant.assets.size() + plant.pipes.size() * 3);
    layout.boundsMin = QVector3D(kInf, kInf, kInf);
    layout.boundsMax = -layout.boundsMin;

    for (int a = 0; a < plant.assets.size(); ++a) {
        const Asset& asset = plant.assets.at(a);
        SceneItem item;
        item.id = asset.id;
        item.assetIndex = a;
        item.baseColor = defaultColorForType(asset.type);
        item.boundsMin = QVector3D(kInf, kInf, kInf);
        item.boundsMax = -item.boundsMin;
        const QMatrix4x4 placement = assetMatrix(plant, a);
        const int itemIndex = static_cast<int>(layout.items.size());
        const Geometry& g = asset.geometry;
        if (g.isMesh && asset.problem.isEmpty()) {
            item.isMesh = true;
            item.meshModel = placement;
            QMatrix4x4 bounds = placement;
            if (g.mesh.boundsKnown) {
                const QVector3D lo = toQt(g.mesh.boundsMin);
                const QVector3D hi = toQt(g.mesh.boundsMax);
                bounds.translate((lo + hi) / 2);
                bounds.scale((hi - lo) + QVector3D(1e-3f, 1e-3f, 1e-3f));
            } else {
                bounds.scale(toQt(g.extent));
            }
            uniteTransformedUnitBox(item.boundsMin, item.boundsMax, bounds);
            // The mesh gets a hidden box slot, so a load failure at render time can turn into a
            // placeholder without creating an entity. Picking uses the same box.
            layout.instances.append(InstanceSpec{Shape::Box, bounds, itemIndex});
        } else {
            item.isPlaceholder = g.isMesh;
            QMatrix4x4 model = placement;
            model.scale(toQt(g.extent));
            const Shape shape = g.isMesh                                 ? Shape::Box
                                : g.primitive == PrimitiveKind::Cylinder ? Shape::Cylinder
                                : g.primitive == PrimitiveKind::Sphere   ? Shape::Sphere
                                                                         : Shape::Box;
            layout.instances.append(InstanceSpec{shape, model, itemIndex});
            uniteTransformedUnitBox(item.boundsMin, item.boundsMax, model);
        }
        uniteBounds(layout.boundsMin, layout.boundsMax, item.boundsMin);
        uniteBounds(layout.boundsMin, layout.boundsMax, item.boundsMax);
        layout.items.append(std::move(item));
    }

    for (int p = 0; p < plant.pipes.size(); ++p) {
        const Pipe& pipe = plant.pipes.at(p);
        SceneItem item;
        item.id = pipe.id;
        item.isPipe = true;
        item.pipeIndex = p;
        item.baseColor = defaultColorForType(QStringLiteral("pipe"));
        item.boundsMin = QVector3D(kInf, kInf, kInf);
        item.boundsMax = -item.boundsMin;
        const int itemIndex = static_cast<int>(layout.items.size());
        const QList<Vec3> route = plant.pipeRoute(pipe);
        const auto d = static_cast<float>(pipe.diameter);
        for (qsizetype k = 0; k + 1 < route.size(); ++k) {
            const QVector3D a = toQt(route.at(k));
            const QVector3D b = toQt(route.at(k + 1));
            const QVector3D span = b - a;
            const float length = span.length();
            if (length < 1e-4f)
                continue;
            QMatrix4x4 model;
            model.translate((a + b) / 2);
            model.rotate(rotationFromY(span / length));
            model.scale(d, length, d);
            layout.instances.append(InstanceSpec{Shape::Cylinder, model, itemIndex});
            uniteTransformedUnitBox(item.boundsMin, item.boundsMax, model);
            if (k > 0) {
                // A ball at each bend hides the seam between two segments.
                QMatrix4x4 joint;
                joint.translate(a);
                joint.scale(d * 1.15f);
                layout.instances.append(InstanceSpec{Shape::Sphere, joint, itemIndex});
            }
        }
        if (item.boundsMin.x() == kInf)
            continue; // a pipe between two assets at one point draws nothing and cannot be picked
        uniteBounds(layout.boundsMin, layout.boundsMax, item.boundsMin);
        uniteBounds(layout.boundsMin, layout.boundsMax, item.boundsMax);
        layout.items.append(std::move(item));
    }
    if (layout.items.isEmpty()) {
        layout.boundsMin = QVector3D(-1, -1, -1);
        layout.boundsMax = QVector3D(1, 1, 1);
    }
    return layout;
}

} // namespace twinspect::scenes
