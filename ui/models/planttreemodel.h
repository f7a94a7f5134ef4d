// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace twinspect {
struct Plant;
}

namespace twinspect::ui {

/// Site → areas → units → assets, plus the pipes under "Piping". Read-only.
class PlantTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Role {
        ItemIdRole = Qt::UserRole + 1, ///< asset or pipe id; empty for grouping rows
        SearchTextRole,                ///< name, id, type and tag ids, lower case, for filtering
        KindRole                       ///< "site", "area", "unit", "asset", "piping", "pipe"
    };
    enum Column { NameColumn, TypeColumn, ColumnCount };

    explicit PlantTreeModel(QObject* parent = nullptr);
    ~PlantTreeModel() override;

    void setPlant(std::shared_ptr<const Plant> plant);
    /// Index of the row for an asset or pipe id (column 0), or invalid.
    QModelIndex indexForItem(const QString& id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node
    {
        int parent = -1; ///< node index, -1 for top level
        int row = 0;     ///< row within the parent
        QString kind;
        QString name;
        QString type;
        QString id;
        QString search;
        std::vector<int> children;
    };
    int addNode(int parent, Node node);

    std::shared_ptr<const Plant> m_plant;
    std::vector<Node> m_nodes;
    std::vector<int> m_topLevel;
    QHash<QString, int> m_nodeByItemId;
};

} // namespace twinspect::ui
