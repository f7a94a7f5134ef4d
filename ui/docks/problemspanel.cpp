// SPDX-License-Identifier: Apache-2.0
#include "problemspanel.h"

#include "plant/plantloader.h"

#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace twinspect::ui {

namespace {
constexpr int kAssetIdRole = Qt::UserRole + 1;
}

ProblemsPanel::ProblemsPanel(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
{
    m_tree->setObjectName(QStringLiteral("problemsTree"));
    m_tree->setHeaderLabels({tr("Severity"), tr("Where"), tr("Problem")});
    m_tree->setRootIsDecorated(false);
    m_tree->setWordWrap(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString id = item->data(0, kAssetIdRole).toString();
        if (!id.isEmpty())
            Q_EMIT assetActivated(id);
    });
}

ProblemsPanel::~ProblemsPanel() = default;

void ProblemsPanel::setDiagnostics(const QList<PlantDiagnostic>& diagnostics)
{
    m_tree->clear();
    for (const PlantDiagnostic& d : diagnostics) {
        QString severity;
        switch (d.severity) {
        case PlantDiagnostic::Severity::Warning:
            severity = tr("Warning");
            break;
        case PlantDiagnostic::Severity::AssetError:
            severity = tr("Asset error");
            break;
        case PlantDiagnostic::Severity::Error:
            severity = tr("Error");
            break;
        }
        const QString where = d.line > 0 ? QStringLiteral("%1:%2 %3").arg(d.line).arg(d.column).arg(d.jsonPath) : d.jsonPath;
        auto* item = new QTreeWidgetItem(m_tree, {severity, where, d.message});
        item->setToolTip(2, d.toString());
        item->setData(0, kAssetIdRole, d.assetId);
    }
    Q_EMIT countChanged(problemCount());
}

void ProblemsPanel::addRenderProblem(const QString& assetId, const QString& message)
{
    auto* item = new QTreeWidgetItem(m_tree, {tr("Asset error"), assetId, message});
    item->setData(0, kAssetIdRole, assetId);
    Q_EMIT countChanged(problemCount());
}

int ProblemsPanel::problemCount() const
{
    return m_tree->topLevelItemCount();
}

QString ProblemsPanel::messageAt(int row) const
{
    const QTreeWidgetItem* item = m_tree->topLevelItem(row);
    return item ? item->text(2) : QString();
}

} // namespace twinspect::ui
