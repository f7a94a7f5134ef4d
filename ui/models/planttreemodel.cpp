// SPDX-License-Identifier: Apache-2.0
#include "planttreemodel.h"

#include "plant/plant.h"

namespace twinspect::ui {

PlantTreeModel::PlantTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

PlantTreeModel::~PlantTreeModel() = default;

int PlantTreeModel::addNode(int parent, Node node)
{
    const int index = static_cast<int>(m_nodes.size());
    std::vector<int>& siblings = parent < 0 ? m_topLevel : m_nodes[static_cast<size_t>(parent)].children;
    node.parent = parent;
    node.row = static_cast<int>(siblings.size());
    siblings.push_back(index);
    if (!node.id.isEmpty())
        m_nodeByItemId.insert(node.id, index);
    m_nodes.push_back(std::move(node));
    return index;
}

void PlantTreeModel::setPlant(std::shared_ptr<const Plant> plant)
{
    beginResetModel();
    m_plant = std::move(plant);
    m_nodes.clear();
    m_topLevel.clear();
    m_nodeByItemId.clear();
    if (m_plant) {
        m_nodes.reserve(static_cast<size_t>(m_plant->assets.size() + m_plant->pipes.size()) + 64);
        const int site = addNode(-1, Node{-1, 0, QStringLiteral("site"), m_plant->siteName, QStringLiteral("site"), {},
                                          m_plant->siteName.toLower(), {}});
        for (const Area& area : m_plant->areas) {
            const int areaNode = addNode(
                site, Node{-1, 0, QStringLiteral("area"), area.name, QStringLiteral("area"), {}, area.name.toLower(), {}});
            for (const Unit& unit : area.units) {
                const int unitNode = addNode(areaNode, Node{-1, 0, QStringLiteral("unit"), unit.name,
                                                            QStringLiteral("unit"), {}, unit.name.toLower(), {}});
                for (const int assetIndex : unit.assetIndexes) {
                    const Asset& asset = m_plant->assets.at(assetIndex);
                    QString search = asset.name + QLatin1Char(' ') + asset.id + QLatin1Char(' ') + asset.type;
                    for (const TagBinding& tag : asset.tags)
                        search += QLatin1Char(' ') + tag.tagId;
                    addNode(unitNode, Node{-1, 0, QStringLiteral("asset"), asset.name, asset.type, asset.id,
                                           search.toLower(), {}});
                }
            }
        }
        if (!m_plant->pipes.isEmpty()) {
            const int piping = addNode(site, Node{-1, 0, QStringLiteral("piping"), tr("Piping"),
                                                  QStringLiteral("pipes"), {}, QStringLiteral("piping"), {}});
            for (const Pipe& pipe : m_plant->pipes) {
                const QString search = pipe.name + QLatin1Char(' ') + pipe.id + QStringLiteral(" pipe ") +
                                       pipe.fromAssetId + QLatin1Char(' ') + pipe.toAssetId;
                addNode(piping, Node{-1, 0, QStringLiteral("pipe"), pipe.name, QStringLiteral("pipe"), pipe.id,
                                     search.toLower(), {}});
            }
        }
    }
    endResetModel();
}

QModelIndex PlantTreeModel::indexForItem(const QString& id) const
{
    const int node = m_nodeByItemId.value(id, -1);
    if (node < 0)
        return {};
    return createIndex(m_nodes[static_cast<size_t>(node)].row, 0, static_cast<quintptr>(node));
}

QModelIndex PlantTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const std::vector<int>& siblings =
        parent.isValid() ? m_nodes[static_cast<size_t>(parent.internalId())].children : m_topLevel;
    if (parent.isValid() && parent.column() != 0)
        return {};
    if (static_cast<size_t>(row) >= siblings.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(siblings[static_cast<size_t>(row)]));
}

QModelIndex PlantTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const int parentNode = m_nodes[static_cast<size_t>(child.internalId())].parent;
    if (parentNode < 0)
        return {};
    return createIndex(m_nodes[static_cast<size_t>(parentNode)].row, 0, static_cast<quintptr>(parentNode));
}

int PlantTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_topLevel.size());
    if (parent.column() != 0)
        return 0;
    return static_cast<int>(m_nodes[static_cast<size_t>(parent.internalId())].children.size());
}

int PlantTreeModel::columnCount(const QModelIndex& /*parent*/) const
{
    return ColumnCount;
}

QVariant PlantTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node& node = m_nodes[static_cast<size_t>(index.internalId())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? node.name : node.type;
    case Qt::ToolTipRole:
        return node.id.isEmpty() ? node.name : node.id + QStringLiteral(" — ") + node.name;
    case ItemIdRole:
        return node.id;
    case SearchTextRole:
        return node.search;
    case KindRole:
        return node.kind;
    default:
        return {};
    }
}

QVariant PlantTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? tr("Name") : tr("Type");
}

} // namespace twinspect::ui
