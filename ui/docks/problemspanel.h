// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

class QTreeWidget;

namespace twinspect {
struct PlantDiagnostic;
}

namespace twinspect::ui {

/// What is wrong with the loaded plant: loader warnings, asset errors, meshes that failed to draw.
class ProblemsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget* parent = nullptr);
    ~ProblemsPanel() override;

    void setDiagnostics(const QList<PlantDiagnostic>& diagnostics);
    void addRenderProblem(const QString& assetId, const QString& message);
    int problemCount() const;
    /// Message of row `row`, for tests.
    QString messageAt(int row) const;

Q_SIGNALS:
    void assetActivated(const QString& assetId);
    void countChanged(int count);

private:
    QTreeWidget* m_tree;
};

} // namespace twinspect::ui
