// SPDX-License-Identifier: Apache-2.0
#include "plant.h"

namespace twinspect {

QString primitiveName(PrimitiveKind kind)
{
    switch (kind) {
    case PrimitiveKind::Box:
        return QStringLiteral("box");
    case PrimitiveKind::Cylinder:
        return QStringLiteral("cylinder");
    case PrimitiveKind::Sphere:
        return QStringLiteral("sphere");
    }
    return QStringLiteral("box");
}

const Asset* Plant::asset(const QString& id) const
{
    const int index = assetIndex(id);
    return index < 0 ? nullptr : &assets.at(index);
}

void Plant::rebuildIndex()
{
    m_assetIndexById.clear();
    m_assetIndexById.reserve(assets.size());
    for (int i = 0; i < assets.size(); ++i)
        m_assetIndexById.insert(assets.at(i).id, i);
}

QList<Vec3> Plant::pipeRoute(const Pipe& pipe) const
{
    QList<Vec3> route;
    route.reserve(pipe.waypoints.size() + 2);
    if (const Asset* from = asset(pipe.fromAssetId))
        route.append(from->transform.position);
    route.append(pipe.waypoints);
    if (const Asset* to = asset(pipe.toAssetId))
        route.append(to->transform.position);
    return route;
}

const QList<QString>& assetTypes()
{
    static const QList<QString> types{
        QStringLiteral("pump"),      QStringLiteral("valve"),          QStringLiteral("tank"),
        QStringLiteral("pipe"),      QStringLiteral("motor"),          QStringLiteral("sensor"),
        QStringLiteral("heat-exchanger"), QStringLiteral("heater"),    QStringLiteral("condenser"),
        QStringLiteral("cooler"),    QStringLiteral("compressor"),     QStringLiteral("vessel"),
        QStringLiteral("column"),    QStringLiteral("filter"),         QStringLiteral("switch"),
        QStringLiteral("structure"), QStringLiteral("other")};
    return types;
}

const QList<QString>& tagRoles()
{
    static const QList<QString> roles{
        QStringLiteral("flow"),     QStringLiteral("pressure"), QStringLiteral("level"),
        QStringLiteral("temperature"), QStringLiteral("state"), QStringLiteral("position"),
        QStringLiteral("speed"),    QStringLiteral("power"),    QStringLiteral("command"),
        QStringLiteral("setpoint"), QStringLiteral("other")};
    return roles;
}

} // namespace twinspect
