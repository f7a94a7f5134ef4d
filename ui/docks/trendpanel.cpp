// SPDX-License-Identifier: Apache-2.0
#include "trendpanel.h"

#include "overlaystyle.h"
#include "plant/plant.h"

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QSaveFile>
#include <QScatterSeries>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTimer>
#include <QToolBar>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>

namespace twinspect::ui {

using telemetry::HistoryPoint;
using telemetry::Quality;

namespace {

constexpr qint64 kMinute = 60'000;

struct SpanChoice
{
    const char* text;
    qint64 ms;
};
constexpr SpanChoice kSpans[] = {{QT_TRANSLATE_NOOP("twinspect::ui::TrendPanel", "1 min"), kMinute},
                                 {QT_TRANSLATE_NOOP("twinspect::ui::TrendPanel", "10 min"), 10 * kMinute},
                                 {QT_TRANSLATE_NOOP("twinspect::ui::TrendPanel", "1 h"), 60 * kMinute}};

/// "45 s", "2 min 30 s", "1 h 5 min": the window's length as people say it.
QString spanText(qint64 ms)
{
    const qint64 seconds = (ms + 500) / 1000;
    if (seconds < 60)
        return TrendPanel::tr("%1 s").arg(seconds);
    if (seconds < 3600) {
        const qint64 rest = seconds % 60;
        return rest ? TrendPanel::tr("%1 min %2 s").arg(seconds / 60).arg(rest)
                    : TrendPanel::tr("%1 min").arg(seconds / 60);
    }
    const qint64 minutes = (seconds % 3600) / 60;
    return minutes ? TrendPanel::tr("%1 h %2 min").arg(seconds / 3600).arg(minutes)
                   : TrendPanel::tr("%1 h").arg(seconds / 3600);
}

/// The analog limits of a pen, most severe high first, as the alarm list names them.
QList<std::pair<alarms::AlarmKind, alarms::AnalogLimit>> analogLimits(const TrendPen& pen)
{
    QList<std::pair<alarms::AlarmKind, alarms::AnalogLimit>> limits;
    if (!pen.alarms || pen.alarms->type != alarms::AlarmConfig::Type::Analog)
        return limits;
    const alarms::AlarmConfig& config = *pen.alarms;
    const std::pair<alarms::AlarmKind, const std::optional<alarms::AnalogLimit>*> all[] = {
        {alarms::AlarmKind::HiHi, &config.hiHi},
        {alarms::AlarmKind::Hi, &config.hi},
        {alarms::AlarmKind::Lo, &config.lo},
        {alarms::AlarmKind::LoLo, &config.loLo}};
    for (const auto& [kind, limit] : all) {
        if (*limit)
            limits.append({kind, **limit});
    }
    return limits;
}

QPixmap swatch(const QColor& color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(color);
    return pixmap;
}

} // namespace

TrendPanel::TrendPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new TrendModel(this))
    , m_title(new QLabel)
    , m_span(new QComboBox)
    , m_penList(new QListWidget)
    , m_stack(new QStackedWidget)
    , m_message(new QLabel)
    // The view owns the chart (QChart is a graphics item and takes no QObject parent).
    , m_view(new QChartView(new QChart))
    , m_chart(m_view->chart())
    , m_timeAxis(new QDateTimeAxis(m_chart))
    , m_window(new QLabel)
    , m_status(new QLabel)
{
    m_title->setObjectName(QStringLiteral("trendTitle"));
    m_span->setObjectName(QStringLiteral("trendSpan"));
    m_penList->setObjectName(QStringLiteral("trendPens"));
    m_message->setObjectName(QStringLiteral("trendMessage"));
    m_view->setObjectName(QStringLiteral("trendChart"));
    m_window->setObjectName(QStringLiteral("trendWindow"));
    m_status->setObjectName(QStringLiteral("trendStatus"));

    for (const SpanChoice& choice : kSpans)
        m_span->addItem(tr(choice.text), choice.ms);
    m_span->setToolTip(tr("How much time the chart shows"));
    m_span->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_span->setMinimumContentsLength(10); // room for a zoomed length such as "2 min 30 s"
    connect(m_span, &QComboBox::activated, this,
            [this](int index) { m_model->setSpan(m_span->itemData(index).toLongLong()); });

    m_pauseAction = makeAction(tr("Pause"), QStringLiteral("trendPause"), {Qt::Key_Space});
    m_pauseAction->setCheckable(true);
    m_pauseAction->setToolTip(tr("Freeze the chart; new samples are kept and show on resume (Space)"));
    connect(m_pauseAction, &QAction::triggered, this, &TrendPanel::togglePause);
    m_liveAction = makeAction(tr("Live"), QStringLiteral("trendLive"), {Qt::Key_End});
    m_liveAction->setToolTip(tr("Follow the newest samples again (End)"));
    connect(m_liveAction, &QAction::triggered, this, &TrendPanel::goLive);
    QAction* zoomIn = makeAction(tr("Zoom in"), QStringLiteral("trendZoomIn"), {Qt::Key_Plus, Qt::Key_Equal});
    connect(zoomIn, &QAction::triggered, this, &TrendPanel::zoomIn);
    QAction* zoomOut = makeAction(tr("Zoom out"), QStringLiteral("trendZoomOut"), {Qt::Key_Minus});
    connect(zoomOut, &QAction::triggered, this, &TrendPanel::zoomOut);
    QAction* back = makeAction(tr("Earlier"), QStringLiteral("trendPanBack"), {Qt::Key_Left});
    connect(back, &QAction::triggered, this, &TrendPanel::panBack);
    QAction* forward = makeAction(tr("Later"), QStringLiteral("trendPanForward"), {Qt::Key_Right});
    connect(forward, &QAction::triggered, this, &TrendPanel::panForward);
    QAction* exportCsv = makeAction(tr("Export CSV…"), QStringLiteral("trendExportCsv"), {});
    exportCsv->setToolTip(tr("Save the points shown, one line per point"));
    connect(exportCsv, &QAction::triggered, this, &TrendPanel::exportCsvInteractively);
    QAction* exportPng = makeAction(tr("Export PNG…"), QStringLiteral("trendExportPng"), {});
    exportPng->setToolTip(tr("Save the chart as an image"));
    connect(exportPng, &QAction::triggered, this, &TrendPanel::exportPngInteractively);
    m_dataActions = {m_pauseAction, m_liveAction, zoomIn, zoomOut, back, forward, exportCsv, exportPng};

    auto* toolBar = new QToolBar;
    toolBar->setObjectName(QStringLiteral("trendToolBar"));
    toolBar->addWidget(m_span);
    toolBar->addActions({m_pauseAction, m_liveAction});
    toolBar->addSeparator();
    toolBar->addActions({zoomOut, zoomIn, back, forward});
    toolBar->addSeparator();
    toolBar->addActions({exportCsv, exportPng});

    m_chart->legend()->hide(); // the pen list is the legend; limit lines and markers would crowd it
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFocusPolicy(Qt::StrongFocus);
    m_view->setMinimumSize(240, 160);
    m_view->viewport()->installEventFilter(this);

    m_penList->setToolTip(tr("Pens: untick a tag to hide it"));
    m_penList->setMaximumWidth(200);
    connect(m_penList, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        m_model->setPenVisible(m_penList->row(item), item->checkState() == Qt::Checked);
        m_structureDirty = true;
        redraw();
    });

    auto* legend = new QLabel(tr("Dashed: alarm limits in their priority's colour · ○ uncertain · ■ bad, stale or "
                                 "untrusted value · a break in a line: no good data"));
    legend->setObjectName(QStringLiteral("trendLegend"));
    legend->setWordWrap(true);

    auto* chartPage = new QWidget;
    auto* chartLayout = new QHBoxLayout(chartPage);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addWidget(m_view, 1);
    chartLayout->addWidget(m_penList);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_stack->addWidget(m_message);
    m_stack->addWidget(chartPage);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_window);
    layout->addLayout(header);
    layout->addWidget(toolBar);
    layout->addWidget(m_stack, 1);
    layout->addWidget(legend);
    layout->addWidget(m_status);

    connect(m_model, &TrendModel::shownChanged, this, &TrendPanel::scheduleRedraw);
    connect(m_model, &TrendModel::liveChanged, this, &TrendPanel::updateControls);
    setPens({});
}

TrendPanel::~TrendPanel() = default;

QAction* TrendPanel::makeAction(const QString& text, const QString& objectName, const QList<QKeySequence>& keys)
{
    auto* action = new QAction(text, this);
    action->setObjectName(objectName);
    action->setShortcuts(keys);
    // Keys act while the focus is anywhere in the dock, not in the rest of the window.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(action);
    return action;
}

void TrendPanel::setTagStore(const telemetry::TagStore* store)
{
    m_model->setTagStore(store);
}

void TrendPanel::showAsset(const Plant* plant, const QString& assetId)
{
    const Asset* asset = plant && !assetId.isEmpty() ? plant->asset(assetId) : nullptr;
    if (!asset) {
        setPens({});
        return;
    }
    const QString title = asset->name.isEmpty() || asset->name == asset->id
                              ? asset->id
                              : QStringLiteral("%1 (%2)").arg(asset->name, asset->id);
    setPens(trendPensFor(*plant, assetId), title);
}

void TrendPanel::setPens(const QList<TrendPen>& pens, const QString& title)
{
    m_assetTitle = title;
    m_title->setText(title.isEmpty() ? tr("Trends") : tr("Trends: %1").arg(title));
    m_model->setPens(pens);
    m_structureDirty = true;
    updatePenList();
    redraw();
}

void TrendPanel::updatePenList()
{
    const QSignalBlocker blocker(m_penList);
    m_penList->clear();
    for (const TrendPen& pen : m_model->pens()) {
        auto* item = new QListWidgetItem(
            QIcon(swatch(pen.color)), pen.unit.isEmpty() ? pen.tag : QStringLiteral("%1 [%2]").arg(pen.tag, pen.unit),
            m_penList);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(pen.visible ? Qt::Checked : Qt::Unchecked);
    }
}

void TrendPanel::scheduleRedraw()
{
    // Changes that come together (a refresh, the controls it updates) make one redraw.
    if (m_redrawPending)
        return;
    m_redrawPending = true;
    QTimer::singleShot(0, this, [this] {
        if (!m_redrawPending)
            return;
        // A closed dock draws nothing; showing it draws the model's current data (showEvent).
        if (isVisible())
            redraw();
        else
            m_redrawPending = false;
    });
}

void TrendPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    redraw();
}

void TrendPanel::redraw()
{
    m_redrawPending = false;
    updateState();
    updateControls();
    if (m_stack->currentIndex() != 1)
        return;
    if (m_structureDirty) {
        rebuildSeries();
        m_structureDirty = false;
    }
    for (int pen = 0; pen < static_cast<int>(m_series.size()); ++pen)
        fillPen(pen);
    updateAxes();
}

void TrendPanel::updateState()
{
    QString message;
    const QList<TrendPen>& pens = m_model->pens();
    if (pens.isEmpty()) {
        message = m_assetTitle.isEmpty() ? tr("Select an asset to see its tags' trends.")
                                         : tr("No tags bound to this asset.");
    } else if (!m_model->hasData()) {
        QStringList tags;
        for (const TrendPen& pen : pens)
            tags.append(pen.tag);
        message = tr("No data yet for %1.").arg(tags.join(QStringLiteral(", ")));
    }
    m_message->setText(message);
    m_stack->setCurrentIndex(message.isEmpty() ? 1 : 0);
    for (QAction* action : std::as_const(m_dataActions))
        action->setEnabled(message.isEmpty());
    m_span->setEnabled(message.isEmpty());
}

void TrendPanel::updateControls()
{
    const bool live = m_model->isLive();
    m_pauseAction->setChecked(!live);
    m_pauseAction->setText(live ? tr("Pause") : tr("Resume"));
    m_liveAction->setEnabled(!live && m_stack->currentIndex() == 1);
    int spanIndex = -1;
    for (int i = 0; i < m_span->count(); ++i) {
        if (m_span->itemData(i).toLongLong() == m_model->spanMs())
            spanIndex = i;
    }
    m_span->setCurrentIndex(spanIndex);
    // A zoomed window has no preset: the box then names its length instead of going blank.
    m_span->setPlaceholderText(spanText(m_model->spanMs()));
    if (live) {
        m_window->setText(tr("Live · last %1").arg(spanText(m_model->spanMs())));
    } else {
        const QString format =
            m_model->spanMs() < kMinute * 60 * 24 ? QStringLiteral("HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm");
        m_window->setText(tr("Paused · %1 – %2 (%3)")
                              .arg(QDateTime::fromMSecsSinceEpoch(m_model->windowStartMs()).toString(format),
                                   QDateTime::fromMSecsSinceEpoch(m_model->windowEndMs()).toString(format),
                                   spanText(m_model->spanMs())));
    }
}

void TrendPanel::rebuildSeries()
{
    m_chart->removeAllSeries();
    for (QValueAxis* axis : std::as_const(m_axes)) {
        m_chart->removeAxis(axis);
        delete axis; // removeAxis hands the axis back
    }
    m_axes.clear();
    const QList<TrendPen>& pens = m_model->pens();
    m_series.assign(static_cast<size_t>(pens.size()), PenSeries{});
    int side = 0;
    for (int pen = 0; pen < pens.size(); ++pen) {
        const TrendPen& trendPen = pens.at(pen);
        if (!trendPen.visible)
            continue;
        PenSeries& series = m_series[static_cast<size_t>(pen)];
        QValueAxis*& axis = m_axes[trendPen.unit];
        if (!axis) {
            // One axis per unit, alternating sides, so two pens in the same unit share a scale.
            axis = new QValueAxis(m_chart);
            axis->setTitleText(trendPen.unit.isEmpty() ? tr("(no unit)") : trendPen.unit);
            axis->setTickCount(5);
            m_chart->addAxis(axis, side++ % 2 == 0 ? Qt::AlignLeft : Qt::AlignRight);
        }
        series.axis = axis;

        for (const auto& [kind, limit] : analogLimits(trendPen)) {
            auto* line = new QLineSeries(m_chart);
            line->setObjectName(QStringLiteral("limit:%1:%2").arg(trendPen.tag, alarms::kindName(kind)));
            line->setName(QStringLiteral("%1 %2 %3 %4")
                              .arg(trendPen.tag, alarms::kindName(kind), QString::number(limit.limit), trendPen.unit));
            addSeries(line, axis);
            QPen dashed(scenes::alarmColor(limit.priority), 2, Qt::DashLine);
            line->setPen(dashed);
            series.limits.append({line, limit.limit});
        }

        series.uncertain = new QScatterSeries(m_chart);
        series.uncertain->setObjectName(QStringLiteral("uncertain:%1").arg(trendPen.tag));
        addSeries(series.uncertain, axis);
        series.uncertain->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        series.uncertain->setMarkerSize(8);
        series.uncertain->setColor(Qt::white);
        series.uncertain->setBorderColor(trendPen.color);

        series.bad = new QScatterSeries(m_chart);
        series.bad->setObjectName(QStringLiteral("bad:%1").arg(trendPen.tag));
        addSeries(series.bad, axis);
        series.bad->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        series.bad->setMarkerSize(6);
        series.bad->setColor(QColor(0x44, 0x44, 0x44));
        series.bad->setBorderColor(QColor(0x44, 0x44, 0x44));
    }
    // An axis of one pen takes that pen's colour, so it is clear which line it measures.
    for (auto it = m_axes.cbegin(); it != m_axes.cend(); ++it) {
        int users = 0;
        QColor color;
        for (const TrendPen& pen : pens) {
            if (pen.visible && pen.unit == it.key()) {
                ++users;
                color = pen.color;
            }
        }
        if (users == 1) {
            it.value()->setLabelsColor(color);
            it.value()->setTitleBrush(color);
        }
    }
}

void TrendPanel::addSeries(QAbstractSeries* series, QValueAxis* axis)
{
    m_chart->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(axis);
}

QLineSeries* TrendPanel::lineFor(int pen, int segment)
{
    PenSeries& series = m_series[static_cast<size_t>(pen)];
    const TrendPen& trendPen = m_model->pens().at(pen);
    while (series.lines.size() <= segment) {
        auto* line = new QLineSeries(m_chart);
        line->setObjectName(QStringLiteral("pen:%1").arg(trendPen.tag));
        line->setName(trendPen.tag);
        addSeries(line, series.axis);
        line->setPen(QPen(trendPen.color, 2));
        line->setMarkerSize(5);
        connect(line, &QXYSeries::hovered, this,
                [this, pen](const QPointF& at, bool entered) { showPointTip(pen, at, entered); });
        series.lines.append(line);
    }
    return series.lines.at(segment);
}

void TrendPanel::fillPen(int pen)
{
    if (!m_series[static_cast<size_t>(pen)].axis)
        return; // hidden
    const std::vector<HistoryPoint>& points = m_model->shownPoints(pen);
    const QList<TrendSegment> segments = m_model->segments(pen);
    for (int i = 0; i < segments.size(); ++i) {
        QList<QPointF> line;
        line.reserve(segments.at(i).last - segments.at(i).first + 1);
        for (int p = segments.at(i).first; p <= segments.at(i).last; ++p) {
            const HistoryPoint& point = points[static_cast<size_t>(p)];
            line.append(QPointF(static_cast<qreal>(point.timeMs), point.value));
        }
        QLineSeries* series = lineFor(pen, i);
        // A run of one point has no length: show it as a dot or it would vanish.
        series->setPointsVisible(line.size() == 1);
        series->replace(line);
    }
    PenSeries& series = m_series[static_cast<size_t>(pen)];
    // Runs no longer needed are emptied, not removed: the next redraw likely needs them again.
    for (qsizetype i = segments.size(); i < series.lines.size(); ++i) {
        if (series.lines.at(i)->count() > 0)
            series.lines.at(i)->clear();
    }
    QList<QPointF> uncertain;
    QList<QPointF> bad;
    for (const HistoryPoint& point : points) {
        if (std::isnan(point.value))
            continue;
        if (!TrendModel::isDrawable(point))
            bad.append(QPointF(static_cast<qreal>(point.timeMs), point.value));
        else if (point.quality == Quality::Uncertain)
            uncertain.append(QPointF(static_cast<qreal>(point.timeMs), point.value));
    }
    series.uncertain->replace(uncertain);
    series.bad->replace(bad);
    const auto start = static_cast<qreal>(m_model->windowStartMs());
    const auto end = static_cast<qreal>(m_model->windowEndMs());
    for (const auto& [line, value] : std::as_const(series.limits))
        line->replace({QPointF(start, value), QPointF(end, value)});
}

void TrendPanel::updateAxes()
{
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_model->windowStartMs()),
                         QDateTime::fromMSecsSinceEpoch(m_model->windowEndMs()));
    m_timeAxis->setFormat(m_model->spanMs() <= 15 * kMinute ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
    m_timeAxis->setTickCount(5);
    const QList<TrendPen>& pens = m_model->pens();
    for (auto it = m_axes.cbegin(); it != m_axes.cend(); ++it) {
        // The configured range when the binding has one (a fixed scale reads best), widened to show
        // every drawn point and limit; otherwise what is drawn, with a margin.
        std::optional<double> low;
        std::optional<double> high;
        std::optional<double> fixedLow;
        std::optional<double> fixedHigh;
        const auto include = [&](double value) {
            low = low ? std::min(*low, value) : value;
            high = high ? std::max(*high, value) : value;
        };
        for (int pen = 0; pen < pens.size(); ++pen) {
            const TrendPen& trendPen = pens.at(pen);
            if (!trendPen.visible || trendPen.unit != it.key())
                continue;
            if (trendPen.rangeMin && trendPen.rangeMax && *trendPen.rangeMin < *trendPen.rangeMax) {
                include(*trendPen.rangeMin);
                include(*trendPen.rangeMax);
                fixedLow = fixedLow ? std::min(*fixedLow, *trendPen.rangeMin) : *trendPen.rangeMin;
                fixedHigh = fixedHigh ? std::max(*fixedHigh, *trendPen.rangeMax) : *trendPen.rangeMax;
            }
            for (const auto& limit : analogLimits(trendPen))
                include(limit.second.limit);
            for (const HistoryPoint& point : m_model->shownPoints(pen)) {
                if (TrendModel::isDrawable(point))
                    include(point.value);
            }
        }
        double min = low.value_or(0.0);
        double max = high.value_or(1.0);
        const double margin = max > min ? (max - min) * 0.05 : std::max(1.0, std::abs(max) * 0.05);
        if (!fixedLow || min < *fixedLow)
            min -= margin;
        if (!fixedHigh || max > *fixedHigh)
            max += margin;
        it.value()->setRange(min, max);
        // A scale that fits the data gets round tick values (1.95, 2.00, ...); a configured one stays as set.
        if (!fixedLow && !fixedHigh)
            it.value()->applyNiceNumbers();
    }
}

void TrendPanel::showPointTip(int pen, const QPointF& at, bool entered)
{
    const std::vector<HistoryPoint>& points = m_model->shownPoints(pen);
    if (!entered || points.empty()) {
        QToolTip::hideText();
        return;
    }
    // The sample nearest in time to where the pointer touches the line: exact values, not interpolated ones.
    const auto time = static_cast<qint64>(at.x());
    auto it = std::lower_bound(points.begin(), points.end(), time,
                               [](const HistoryPoint& point, qint64 t) { return point.timeMs < t; });
    if (it == points.end() || (it != points.begin() && time - std::prev(it)->timeMs < it->timeMs - time))
        --it;
    const TrendPen& trendPen = m_model->pens().at(pen);
    QToolTip::showText(
        QCursor::pos(),
        tr("%1: %2 %3\n%4 · %5")
            .arg(trendPen.tag, std::isnan(it->value) ? QStringLiteral("—") : QLocale().toString(it->value, 'g', 6),
                 trendPen.unit, QDateTime::fromMSecsSinceEpoch(it->timeMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                 telemetry::qualityName(it->quality)),
        m_view);
}

qint64 TrendPanel::timeAt(double viewX) const
{
    const QPointF inChart = m_chart->mapFromScene(m_view->mapToScene(QPoint(static_cast<int>(viewX), 0)));
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0.0)
        return m_model->windowStartMs() + m_model->spanMs() / 2;
    const double fraction = std::clamp((inChart.x() - plot.left()) / plot.width(), 0.0, 1.0);
    return m_model->windowStartMs() + std::llround(fraction * static_cast<double>(m_model->spanMs()));
}

bool TrendPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_view->viewport() || m_stack->currentIndex() != 1)
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::Wheel: {
        const auto* wheel = static_cast<QWheelEvent*>(event);
        const double steps = wheel->angleDelta().y() / 120.0;
        if (steps == 0.0)
            return false;
        // Away from the user (positive) zooms in, as in maps and most plotting tools.
        m_model->zoom(std::pow(0.8, steps), timeAt(wheel->position().x()));
        return true;
    }
    case QEvent::MouseButtonPress: {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() != Qt::LeftButton)
            return false;
        m_view->setFocus(Qt::MouseFocusReason);
        m_drag = Drag{mouse->position().x(), m_model->windowEndMs(), false};
        return true;
    }
    case QEvent::MouseMove: {
        if (!m_drag)
            return false;
        const double dx = static_cast<const QMouseEvent*>(event)->position().x() - m_drag->startX;
        // A click with a shaky hand is not a pan: it would pause the trend for nothing.
        if (!m_drag->moved && std::abs(dx) < 4.0)
            return true;
        m_drag->moved = true;
        m_view->viewport()->setCursor(Qt::ClosedHandCursor);
        const double plotWidth = std::max(1.0, m_chart->plotArea().width());
        const double msPerPixel = static_cast<double>(m_model->spanMs()) / plotWidth;
        // Dragging right pulls earlier data into view.
        m_model->setWindow(m_drag->endMs - std::llround(dx * msPerPixel), m_model->spanMs());
        return true;
    }
    case QEvent::MouseButtonRelease:
        if (!m_drag)
            return false;
        m_drag.reset();
        m_view->viewport()->unsetCursor();
        return true;
    default:
        return QWidget::eventFilter(watched, event);
    }
}

void TrendPanel::togglePause()
{
    if (m_model->isLive())
        m_model->pause();
    else
        m_model->resume();
    updateControls();
}

void TrendPanel::goLive()
{
    m_model->resume();
    updateControls();
}

void TrendPanel::zoomIn()
{
    m_model->zoom(0.5);
}

void TrendPanel::zoomOut()
{
    m_model->zoom(2.0);
}

void TrendPanel::panBack()
{
    m_model->pan(-m_model->spanMs() / 4);
}

void TrendPanel::panForward()
{
    m_model->pan(m_model->spanMs() / 4);
}

QString TrendPanel::messageText() const
{
    return m_stack->currentIndex() == 0 ? m_message->text() : QString();
}

QString TrendPanel::statusText() const
{
    return m_status->text();
}

Result<bool> TrendPanel::exportCsv(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("trend.export.open"),
                     tr("Could not write %1: %2. Choose a folder you may write to.").arg(path, file.errorString())};
    const QByteArray csv = m_model->toCsv();
    if (file.write(csv) != csv.size() || !file.commit())
        return Error{QStringLiteral("trend.export.write"),
                     tr("Could not write %1: %2. Check the free space and try again.").arg(path, file.errorString())};
    return true;
}

Result<bool> TrendPanel::exportPng(const QString& path)
{
    if (m_stack->currentIndex() != 1)
        return Error{QStringLiteral("trend.export.empty"), tr("Nothing to export: %1").arg(m_message->text())};
    if (m_redrawPending)
        redraw();
    const QPixmap image = m_view->grab();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("trend.export.open"),
                     tr("Could not write %1: %2. Choose a folder you may write to.").arg(path, file.errorString())};
    if (!image.save(&file, "PNG") || !file.commit())
        return Error{QStringLiteral("trend.export.write"),
                     tr("Could not write %1: %2. Check the free space and try again.").arg(path, file.errorString())};
    return true;
}

QFileDialog* TrendPanel::exportCsvInteractively()
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    auto* dialog = new QFileDialog(this, tr("Export trend data"),
                                   directory + QStringLiteral("/trend-%1.csv").arg(stamp), tr("CSV files (*.csv)"));
    dialog->setObjectName(QStringLiteral("trendExportCsvDialog"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        const Result<bool> result = exportCsv(path);
        finishExport(path, result, m_model->rowCount());
    });
    dialog->open();
    return dialog;
}

QFileDialog* TrendPanel::exportPngInteractively()
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    auto* dialog = new QFileDialog(this, tr("Export trend chart"),
                                   directory + QStringLiteral("/trend-%1.png").arg(stamp), tr("PNG images (*.png)"));
    dialog->setObjectName(QStringLiteral("trendExportPngDialog"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("png"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        const Result<bool> result = exportPng(path);
        finishExport(path, result, -1);
    });
    dialog->open();
    return dialog;
}

void TrendPanel::finishExport(const QString& path, const Result<bool>& result, int points)
{
    QString message;
    if (!result.ok())
        message = result.error().message;
    else if (points >= 0)
        message = tr("Exported %n point(s) to %1", nullptr, points).arg(path);
    else
        message = tr("Exported the chart to %1").arg(path);
    m_status->setText(message);
    Q_EMIT exportFinished(path, result.ok(), message);
}

} // namespace twinspect::ui
