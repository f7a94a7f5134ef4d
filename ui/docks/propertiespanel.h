// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "plant/plant.h"

#include <QHash>
#include <QWidget>

class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace twinspect {
namespace alarms {
class AlarmEngine;
}
namespace telemetry {
class TagStore;
}
} // namespace twinspect

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
    /// Live values of the shown asset's tags come from here (not owned): value, unit, quality,
    /// age and how the origin was authenticated, updated at most once per frame.
    void setTagStore(const telemetry::TagStore* store);
    /// Each bound tag's alarm state comes from here (not owned).
    void setAlarmEngine(const alarms::AlarmEngine* engine);

private:
    QTreeWidgetItem* addSection(const QString& title);
    void openLink(QTreeWidgetItem* item);
    void refreshTags(const QStringList& changed);
    void showTag(QTreeWidgetItem* item, const TagBinding& binding) const;

    QTreeWidget* m_tree;
    const telemetry::TagStore* m_store = nullptr;
    const alarms::AlarmEngine* m_alarms = nullptr;
    QTimer* m_ageTimer;
    struct TagRow
    {
        QTreeWidgetItem* row = nullptr;
        TagBinding binding;
    };
    /// The tag rows on show, by tag id, with a copy of their binding (unit, range).
    QHash<QString, TagRow> m_tagRows;
};

} // namespace twinspect::ui
