// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace twinspect {
struct Plant;
}

namespace twinspect::ui {

/// The selected asset's or pipe's fields, tag bindings, metadata and problems.
class PropertiesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PropertiesPanel(QWidget* parent = nullptr);
    ~PropertiesPanel() override;

    /// Shows an item of the plant ("" shows nothing). `renderProblem` adds a problem found while drawing.
    void showItem(const Plant* plant, const QString& id, const QString& renderProblem = {});
    /// Value shown for a field, for tests: section title and field name.
    QString valueOf(const QString& section, const QString& field) const;

private:
    QTreeWidgetItem* addSection(const QString& title);
    void openLink(QTreeWidgetItem* item);

    QTreeWidget* m_tree;
};

} // namespace twinspect::ui
