// SPDX-License-Identifier: Apache-2.0
// The window's live views of the twin: the telemetry overlay on the 3D view, labels above assets,
// the legend, and the trend of the selected asset.
#include "docks/legendpanel.h"
#include "docks/trendpanel.h"
#include "labellayer.h"
#include "mainwindow.h"
#include "plant/plant.h"
#include "telemetry/telemetryhub.h"
#include "telemetryoverlay.h"
#include "twinview.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>

namespace twinspect::ui {

namespace {
const QString kAllLabelsKey = QStringLiteral("view/labelsForAll");
}

void MainWindow::createOverlay()
{
    telemetry::TelemetryHub* hub = m_telemetry;
    if (!hub || m_overlay)
        return;
    m_overlay = new scenes::TelemetryOverlay(m_view, this);
    m_overlay->setSources(hub->tagStore(), m_alarms);
    m_overlay->setPlant(m_plant);
    m_labels = new LabelLayer(m_view); // a child window of the 3D view, which owns it
    m_labels->setSources(m_plant, hub->tagStore(), m_overlay);
    m_labels->setSelectedAsset(selectedItem());
    connect(m_labels, &LabelLayer::assetClicked, this, &MainWindow::selectItem);

    QMenu* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"));
    m_allLabelsAction = new QAction(tr("&Labels for All Assets in View"), this);
    m_allLabelsAction->setObjectName(QStringLiteral("allLabelsAction"));
    m_allLabelsAction->setCheckable(true);
    m_allLabelsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    m_allLabelsAction->setChecked(m_settings && m_settings->value(kAllLabelsKey, false).toBool());
    m_labels->setShowAll(m_allLabelsAction->isChecked());
    connect(m_allLabelsAction, &QAction::toggled, this, [this](bool all) {
        if (LabelLayer* labels = m_labels)
            labels->setShowAll(all);
        if (m_settings)
            m_settings->setValue(kAllLabelsKey, all);
    });
    if (view)
        view->addAction(m_allLabelsAction);

    auto* legend = new QDockWidget(tr("Legend"), this);
    legend->setObjectName(QStringLiteral("legendDock"));
    legend->setWidget(new LegendPanel);
    addDockWidget(Qt::RightDockWidgetArea, legend);
    legend->hide();
    QAction* legendToggle = legend->toggleViewAction();
    legendToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    if (view)
        view->addAction(legendToggle);

    m_trends = new TrendPanel;
    m_trends->setTagStore(hub->tagStore());
    m_trends->showAsset(m_plant.get(), selectedItem());
    auto* trends = new QDockWidget(tr("Trends"), this);
    trends->setObjectName(QStringLiteral("trendsDock"));
    trends->setWidget(m_trends);
    addDockWidget(Qt::BottomDockWidgetArea, trends);
    trends->hide();
    QAction* trendToggle = trends->toggleViewAction();
    trendToggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    if (view)
        view->addAction(trendToggle);
}

void MainWindow::refreshOverlayPlant()
{
    if (m_overlay)
        m_overlay->setPlant(m_plant);
    if (m_labels && m_telemetry)
        m_labels->setSources(m_plant, m_telemetry->tagStore(), m_overlay);
    if (m_trends)
        m_trends->showAsset(m_plant.get(), {});
}

void MainWindow::followSelection(const QString& id)
{
    if (m_labels)
        m_labels->setSelectedAsset(id);
    if (m_trends)
        m_trends->showAsset(m_plant.get(), id);
}

void MainWindow::showTrend(const QString& assetId)
{
    if (!m_trends)
        return;
    selectItem(assetId);
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("trendsDock"))) {
        dock->show();
        dock->raise();
    }
}

} // namespace twinspect::ui
