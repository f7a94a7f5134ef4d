// SPDX-License-Identifier: Apache-2.0
#include "trendmodel.h"

#include "plant/plant.h"

#include <QDateTime>
#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <utility>

namespace twinspect::ui {

using telemetry::HistoryPoint;

namespace {

QString timeText(qint64 ms)
{
    // Qt::UTC (not a UTC QTimeZone) writes the "Z" suffix rather than "+00:00".
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
}

QString valueText(double value)
{
    // Shortest text that reads back as the same double: CSV round-trips exactly.
    return std::isnan(value) ? QString() : QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QByteArray csvField(const QString& text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r'))
        return text.toUtf8();
    QString quoted = text;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return '"' + quoted.toUtf8() + '"';
}

/// The median spacing of a history: the expected period of a tag whose backend gave none.
qint64 medianSpacing(const std::vector<HistoryPoint>& points)
{
    if (points.size() < 3)
        return 0;
    std::vector<qint64> spacing;
    spacing.reserve(points.size() - 1);
    for (size_t i = 1; i < points.size(); ++i)
        spacing.push_back(points[i].timeMs - points[i - 1].timeMs);
    const auto middle = spacing.begin() + static_cast<std::ptrdiff_t>(spacing.size() / 2);
    std::nth_element(spacing.begin(), middle, spacing.end());
    return *middle;
}

const std::vector<HistoryPoint> kNoPoints;

} // namespace

const QList<QColor>& trendPenColors()
{
    static const QList<QColor> colors{
        QColor(0x2f, 0x6d, 0xb5), // blue
        QColor(0x1a, 0x9c, 0x9c), // teal
        QColor(0x3f, 0x9a, 0x4a), // green
        QColor(0x6b, 0x77, 0x85), // slate grey
        QColor(0x5a, 0xa6, 0xe0), // light blue
        QColor(0x2d, 0x5f, 0x4f), // dark teal
        QColor(0x17, 0x4a, 0x7c), // navy
        QColor(0x8a, 0x9b, 0xb0), // blue grey
    };
    return colors;
}

QList<TrendPen> trendPensFor(const Plant& plant, const QString& assetId)
{
    QList<TrendPen> pens;
    const Asset* asset = plant.asset(assetId);
    if (!asset)
        return pens;
    for (const TagBinding& binding : asset->tags) {
        TrendPen pen;
        pen.tag = binding.tagId;
        pen.unit = binding.unit;
        pen.rangeMin = binding.rangeMin;
        pen.rangeMax = binding.rangeMax;
        pen.alarms = binding.alarms;
        pens.append(pen);
    }
    return pens;
}

TrendModel::TrendModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(m_refreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &TrendModel::tick);
    m_endMs = liveEnd();
}

TrendModel::~TrendModel() = default;

void TrendModel::setTagStore(const telemetry::TagStore* store)
{
    if (const telemetry::TagStore* old = m_store.data())
        disconnect(old, nullptr, this, nullptr);
    m_store = store;
    if (store) {
        connect(store, &telemetry::TagStore::tagsChanged, this, &TrendModel::onTagsChanged);
        // A store that goes away takes its history with it: show nothing rather than a frozen past.
        connect(store, &QObject::destroyed, this, [this] {
            readAllHistory();
            rebuild();
        });
    }
    readAllHistory();
    if (m_live)
        m_endMs = liveEnd();
    rebuild();
}

void TrendModel::setPens(QList<TrendPen> pens)
{
    const QList<QColor>& colors = trendPenColors();
    for (qsizetype i = 0; i < pens.size(); ++i) {
        if (!pens[i].color.isValid())
            pens[i].color = colors.at(i % colors.size());
    }
    m_pens = std::move(pens);
    m_data.assign(static_cast<size_t>(m_pens.size()), PenData{});
    readAllHistory();
    if (m_live)
        m_endMs = liveEnd();
    updateTimer();
    rebuild();
}

void TrendModel::setPenVisible(int pen, bool visible)
{
    if (pen < 0 || pen >= m_pens.size() || m_pens.at(pen).visible == visible)
        return;
    m_pens[pen].visible = visible;
    rebuild();
}

void TrendModel::setSpan(qint64 spanMs)
{
    spanMs = std::clamp(spanMs, kMinSpanMs, kMaxSpanMs);
    if (spanMs == m_spanMs)
        return;
    m_spanMs = spanMs;
    if (m_live)
        m_endMs = liveEnd();
    rebuild();
}

void TrendModel::setWindow(qint64 endMs, qint64 spanMs)
{
    const bool wasLive = m_live;
    m_live = false;
    updateTimer();
    m_spanMs = std::clamp(spanMs, kMinSpanMs, kMaxSpanMs);
    m_endMs = endMs;
    rebuild();
    if (wasLive)
        Q_EMIT liveChanged(false);
}

void TrendModel::zoom(double factor, std::optional<qint64> anchorMs)
{
    if (!(factor > 0.0))
        return;
    const qint64 anchor = anchorMs.value_or(windowStartMs() + m_spanMs / 2);
    const qint64 span = std::clamp(std::llround(static_cast<double>(m_spanMs) * factor), kMinSpanMs, kMaxSpanMs);
    // Keep the anchor at the same fraction of the window, so the time under the mouse stays put.
    const double fraction =
        std::clamp(static_cast<double>(anchor - windowStartMs()) / static_cast<double>(m_spanMs), 0.0, 1.0);
    const qint64 start = anchor - std::llround(fraction * static_cast<double>(span));
    setWindow(start + span, span);
}

void TrendModel::pan(qint64 deltaMs)
{
    setWindow(m_endMs + deltaMs, m_spanMs);
}

void TrendModel::pause()
{
    if (!m_live)
        return;
    // Take what arrived since the last redraw, so the frozen picture is the latest one.
    refresh();
    setLive(false);
}

void TrendModel::resume()
{
    if (m_live)
        return;
    setLive(true);
    refresh();
}

void TrendModel::setLive(bool live)
{
    if (m_live == live)
        return;
    m_live = live;
    updateTimer();
    Q_EMIT liveChanged(live);
}

void TrendModel::setRefreshInterval(int intervalMs)
{
    m_refreshIntervalMs = std::max(0, intervalMs);
    if (m_refreshIntervalMs > 0)
        m_timer->setInterval(m_refreshIntervalMs);
    updateTimer();
}

void TrendModel::updateTimer()
{
    // Only a live trend with something to show needs the clock: a paused one never moves.
    if (m_live && !m_pens.isEmpty() && m_refreshIntervalMs > 0)
        m_timer->start();
    else
        m_timer->stop();
}

void TrendModel::onTagsChanged(const QStringList& tags)
{
    if (!m_live)
        return;
    const bool ours = std::any_of(tags.begin(), tags.end(), [this](const QString& tag) {
        return std::any_of(m_pens.begin(), m_pens.end(), [&tag](const TrendPen& pen) { return pen.tag == tag; });
    });
    if (!ours)
        return;
    m_dirty = true;
    if (m_refreshIntervalMs == 0)
        refresh();
}

void TrendModel::tick()
{
    if (!m_live)
        return;
    if (m_dirty) {
        refresh();
        return;
    }
    // No new samples: the window still follows the clock, so a tag that went silent is seen to.
    const qint64 end = liveEnd();
    if (end == m_endMs)
        return;
    m_endMs = end;
    rebuild();
}

void TrendModel::refresh()
{
    if (!m_live) {
        rebuild();
        return;
    }
    m_dirty = false;
    readAllHistory();
    m_endMs = liveEnd();
    rebuild();
}

void TrendModel::readAllHistory()
{
    for (int pen = 0; pen < m_pens.size(); ++pen)
        readHistory(pen);
}

void TrendModel::readHistory(int pen)
{
    PenData& data = m_data[static_cast<size_t>(pen)];
    const telemetry::TagStore* store = m_store.data();
    const QString& tag = m_pens.at(pen).tag;
    data.history = store ? store->history(tag) : std::vector<HistoryPoint>{};
    // The store keeps arrival order; a late sample belongs where it was measured.
    const auto byTime = [](const HistoryPoint& a, const HistoryPoint& b) { return a.timeMs < b.timeMs; };
    if (!std::is_sorted(data.history.begin(), data.history.end(), byTime))
        std::stable_sort(data.history.begin(), data.history.end(), byTime);
    const telemetry::TagState* state = store ? store->state(tag) : nullptr;
    const qint64 period = state && state->expectedPeriodMs > 0 ? state->expectedPeriodMs : medianSpacing(data.history);
    data.gapMs = std::llround(kGapPeriods * static_cast<double>(period));
}

qint64 TrendModel::liveEnd() const
{
    const telemetry::TagStore* store = m_store.data();
    qint64 end = store ? store->now() : QDateTime::currentMSecsSinceEpoch();
    // A publisher whose clock runs a little ahead must not put its newest points past the edge.
    for (const PenData& data : m_data) {
        if (!data.history.empty())
            end = std::max(end, data.history.back().timeMs);
    }
    return end;
}

void TrendModel::rebuild()
{
    // A reset per change: this runs at most every refresh interval, and a few thousand rows are
    // cheaper to reset than to diff.
    beginResetModel();
    const qint64 start = windowStartMs();
    m_rowStarts.assign(m_data.size(), 0);
    m_rowCount = 0;
    for (size_t pen = 0; pen < m_data.size(); ++pen) {
        PenData& data = m_data[pen];
        data.shown.clear();
        data.segments.clear();
        m_rowStarts[pen] = m_rowCount;
        if (!m_pens.at(static_cast<qsizetype>(pen)).visible)
            continue;
        const auto first = std::lower_bound(data.history.begin(), data.history.end(), start,
                                            [](const HistoryPoint& p, qint64 t) { return p.timeMs < t; });
        const auto last = std::upper_bound(first, data.history.end(), m_endMs,
                                           [](qint64 t, const HistoryPoint& p) { return t < p.timeMs; });
        data.shown.assign(first, last);
        m_rowCount += static_cast<int>(data.shown.size());
        std::optional<TrendSegment> open;
        for (int i = 0; i < static_cast<int>(data.shown.size()); ++i) {
            const HistoryPoint& point = data.shown[static_cast<size_t>(i)];
            if (!isDrawable(point)) {
                if (open)
                    data.segments.append(*std::exchange(open, std::nullopt));
                continue;
            }
            if (open && data.gapMs > 0 &&
                point.timeMs - data.shown[static_cast<size_t>(open->last)].timeMs > data.gapMs)
                data.segments.append(*std::exchange(open, std::nullopt));
            if (open)
                open->last = i;
            else
                open = TrendSegment{i, i};
        }
        if (open)
            data.segments.append(*open);
    }
    endResetModel();
    Q_EMIT shownChanged();
}

bool TrendModel::isDrawable(const HistoryPoint& point)
{
    return (point.quality == telemetry::Quality::Good || point.quality == telemetry::Quality::Uncertain) &&
           !std::isnan(point.value);
}

bool TrendModel::hasData() const
{
    return std::any_of(m_data.begin(), m_data.end(), [](const PenData& data) { return !data.history.empty(); });
}

const std::vector<HistoryPoint>& TrendModel::shownPoints(int pen) const
{
    return pen >= 0 && pen < static_cast<int>(m_data.size()) ? m_data[static_cast<size_t>(pen)].shown : kNoPoints;
}

QList<TrendSegment> TrendModel::segments(int pen) const
{
    return pen >= 0 && pen < static_cast<int>(m_data.size()) ? m_data[static_cast<size_t>(pen)].segments
                                                             : QList<TrendSegment>{};
}

qint64 TrendModel::gapThresholdMs(int pen) const
{
    return pen >= 0 && pen < static_cast<int>(m_data.size()) ? m_data[static_cast<size_t>(pen)].gapMs : 0;
}

std::pair<int, int> TrendModel::locate(int row) const
{
    // The last pen whose first row is at or before `row`: a pen with no rows starts where the next
    // one does, so it is never picked for a row.
    const auto it = std::upper_bound(m_rowStarts.begin(), m_rowStarts.end(), row);
    const int pen = static_cast<int>(it - m_rowStarts.begin()) - 1;
    return {pen, row - m_rowStarts[static_cast<size_t>(pen)]};
}

int TrendModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int TrendModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrendModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto [pen, at] = locate(index.row());
    const HistoryPoint& point = m_data[static_cast<size_t>(pen)].shown[static_cast<size_t>(at)];
    switch (role) {
    case TimeMsRole:
        return point.timeMs;
    case PenRole:
        return pen;
    case QualityRole:
        return static_cast<int>(point.quality);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Time:
        return timeText(point.timeMs);
    case Tag:
        return m_pens.at(pen).tag;
    case Value:
        return valueText(point.value);
    case Unit:
        return m_pens.at(pen).unit;
    case Quality:
        return telemetry::qualityName(point.quality);
    default:
        return {};
    }
}

QVariant TrendModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time (UTC)");
    case Tag:
        return tr("Tag");
    case Value:
        return tr("Value");
    case Unit:
        return tr("Unit");
    case Quality:
        return tr("Quality");
    default:
        return {};
    }
}

QByteArray TrendModel::toCsv() const
{
    QByteArray csv = "time,tag,value,unit,quality\n";
    for (size_t pen = 0; pen < m_data.size(); ++pen) {
        const TrendPen& trendPen = m_pens.at(static_cast<qsizetype>(pen));
        const QByteArray tag = csvField(trendPen.tag);
        const QByteArray unit = csvField(trendPen.unit);
        for (const HistoryPoint& point : m_data[pen].shown) {
            csv += timeText(point.timeMs).toUtf8() + ',' + tag + ',' + valueText(point.value).toUtf8() + ',' + unit +
                   ',' + telemetry::qualityName(point.quality).toUtf8() + '\n';
        }
    }
    return csv;
}

} // namespace twinspect::ui
