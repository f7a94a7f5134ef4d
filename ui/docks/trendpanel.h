// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "models/trendmodel.h"

#include <QHash>
#include <QList>
#include <QWidget>

#include <optional>
#include <vector>

class QAbstractSeries;
class QAction;
class QChart;
class QChartView;
class QPointF;
class QComboBox;
class QDateTimeAxis;
class QFileDialog;
class QLabel;
class QLineSeries;
class QListWidget;
class QScatterSeries;
class QStackedWidget;
class QValueAxis;

namespace twinspect {
struct Plant;
namespace telemetry {
class TagStore;
}
} // namespace twinspect

namespace twinspect::ui {

/// The Trends dock: the selected asset's tags plotted live from the tag store's history.
///
/// One pen per tag in a non-alarm colour, toggled in the pen list; one y axis per unit; each pen's
/// analog alarm limits as dashed lines in their priority's colour. Lines break where data is bad,
/// stale, untrusted or missing; uncertain points carry a hollow marker and bad points that have a
/// value a grey square. Keys (while the panel has focus): Space pause/resume, End live, + and -
/// zoom, Left and Right pan; the mouse wheel zooms around the pointer and dragging pans. Zooming
/// or panning pauses live following. The chart redraws at most about 4 times a second while live.
///
/// Drawn series carry object names for tests: "pen:TAG" (one line series per unbroken run),
/// "uncertain:TAG", "bad:TAG" (scatter) and "limit:TAG:HI" (HIHI, HI, LO, LOLO).
class TrendPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TrendPanel(QWidget* parent = nullptr);
    ~TrendPanel() override;

    /// History comes from here (not owned).
    void setTagStore(const telemetry::TagStore* store);
    /// Trends every tag bound to the asset ("" or nullptr: nothing selected).
    void showAsset(const Plant* plant, const QString& assetId);
    /// Trends these pens; `title` names what they belong to (the asset). An empty list with a
    /// title says the asset has no tags; without one, that nothing is selected.
    void setPens(const QList<TrendPen>& pens, const QString& title = {});

    /// The shown data as CSV (docs/trends.md), written atomically.
    Result<bool> exportCsv(const QString& path) const;
    /// The chart as shown, at the chart view's size (times the screen's pixel ratio), as PNG.
    Result<bool> exportPng(const QString& path);
    /// Ask for a file (window-modal, not blocking) and export to it; the result shows in statusText().
    QFileDialog* exportCsvInteractively();
    QFileDialog* exportPngInteractively();

    void togglePause();
    void goLive();
    void zoomIn();
    void zoomOut();
    void panBack();
    void panForward();

    /// Draws the model's current data now (otherwise done once per event-loop pass after a change).
    void redraw();

    TrendModel* model() const { return m_model; }
    QChartView* chartView() const { return m_view; }
    QChart* chart() const { return m_chart; }
    /// "No tags bound to this asset", "No data yet ...", or empty while the chart shows.
    QString messageText() const;
    /// The last export's outcome ("Exported 120 points to ...", "Could not export ...").
    QString statusText() const;

Q_SIGNALS:
    /// An export finished: the file written, or an error.
    void exportFinished(const QString& path, bool ok, const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    struct PenSeries
    {
        QList<QLineSeries*> lines; ///< one per unbroken run; spares are kept empty for reuse
        QScatterSeries* uncertain = nullptr;
        QScatterSeries* bad = nullptr;
        QList<std::pair<QLineSeries*, double>> limits;
        QValueAxis* axis = nullptr;
    };
    QAction* makeAction(const QString& text, const QString& objectName, const QList<QKeySequence>& keys);
    void scheduleRedraw();
    void rebuildSeries();
    void addSeries(QAbstractSeries* series, QValueAxis* axis);
    QLineSeries* lineFor(int pen, int segment);
    void fillPen(int pen);
    void updateAxes();
    void updateState();
    void updatePenList();
    void updateControls();
    void finishExport(const QString& path, const Result<bool>& result, int points);
    qint64 timeAt(double viewX) const;
    void showPointTip(int pen, const QPointF& at, bool entered);

    TrendModel* m_model;
    QLabel* m_title;
    QComboBox* m_span;
    QAction* m_pauseAction;
    QAction* m_liveAction;
    QList<QAction*> m_dataActions; ///< enabled only while the chart shows
    QListWidget* m_penList;
    QStackedWidget* m_stack;
    QLabel* m_message;
    QChartView* m_view;
    QChart* m_chart;
    QDateTimeAxis* m_timeAxis;
    QLabel* m_window;
    QLabel* m_status;
    std::vector<PenSeries> m_series;    ///< per pen; empty for hidden pens
    QHash<QString, QValueAxis*> m_axes; ///< by unit
    QString m_assetTitle;
    bool m_redrawPending = false;
    bool m_structureDirty = true;
    /// A drag in the chart: where it started, and the window then.
    struct Drag
    {
        double startX = 0.0;
        qint64 endMs = 0;
        bool moved = false;
    };
    std::optional<Drag> m_drag;
};

} // namespace twinspect::ui
