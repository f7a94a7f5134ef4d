// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"
#include "telemetry/tagstore.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QList>
#include <QPointer>

#include <optional>
#include <vector>

class QTimer;

namespace twinspect {
struct Plant;
}

namespace twinspect::ui {

/// One line of a trend: a tag and what the chart needs to draw it.
struct TrendPen
{
    QString tag;
    QString unit;
    QColor color;                   ///< invalid: the model gives the pen one of trendPenColors() by its position
    std::optional<double> rangeMin; ///< the binding's range: a fixed y scale when both are given
    std::optional<double> rangeMax;
    std::optional<alarms::AlarmConfig> alarms; ///< its analog limits are drawn as dashed lines
    bool visible = true;
};

/// The pens of an asset's tag bindings, in plant order; empty for an unknown asset.
QList<TrendPen> trendPensFor(const Plant& plant, const QString& assetId);
/// Pen colours: blues, teals, greens and greys. Never red, orange, yellow or magenta: those mean an
/// alarm priority (scenes/overlaystyle.h) and a pen must not be mistaken for an alarm.
const QList<QColor>& trendPenColors();

/// A run of points drawn as one line: indexes first..last (inclusive) into TrendModel::shownPoints().
struct TrendSegment
{
    int first = 0;
    int last = 0;
    friend bool operator==(const TrendSegment&, const TrendSegment&) = default;
};

/// The data a trend shows: pens, a time window and each visible pen's points inside it, read from
/// the tag store's history. One row per point (long format, grouped by pen in pen order, then by
/// time), which is also exactly what toCsv() writes (docs/trends.md).
///
/// Live, the window ends now and follows the clock; the store's tagsChanged for the model's own
/// tags marks it dirty and a timer applies changes at most every refreshInterval (250 ms), so a
/// chart redraws at about 4 Hz whatever the sample rate. Paused, the points are a snapshot taken
/// when pausing: new samples do not move them. Zooming and panning pause; resume() goes live.
/// Lives in the GUI thread, like the store.
class TrendModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Tag,
        Value,
        Unit,
        Quality,
        ColumnCount
    };
    enum Role
    {
        TimeMsRole = Qt::UserRole + 1, ///< qint64, ms since the epoch
        PenRole,                       ///< int, index into pens()
        QualityRole                    ///< int, telemetry::Quality
    };

    static constexpr qint64 kMinSpanMs = 5'000;
    static constexpr qint64 kMaxSpanMs = 24LL * 3'600'000;
    static constexpr qint64 kDefaultSpanMs = 10LL * 60'000;
    /// A line breaks where consecutive points are further apart than this many expected periods:
    /// the store's default stale factor, so the line breaks where the tag would have shown stale.
    static constexpr double kGapPeriods = 2.5;

    explicit TrendModel(QObject* parent = nullptr);
    ~TrendModel() override;

    /// Where history comes from (not owned; the model empties if it is destroyed first).
    void setTagStore(const telemetry::TagStore* store);
    /// Replaces the pens (pens with no colour get one). Keeps the window and live or paused;
    /// while paused the new pens' history is read once, as of now.
    void setPens(QList<TrendPen> pens);
    const QList<TrendPen>& pens() const { return m_pens; }
    void setPenVisible(int pen, bool visible);

    qint64 spanMs() const { return m_spanMs; }
    qint64 windowStartMs() const { return m_endMs - m_spanMs; }
    qint64 windowEndMs() const { return m_endMs; }
    bool isLive() const { return m_live; }
    /// The window's length; live following continues, a paused window keeps its end.
    void setSpan(qint64 spanMs);
    /// Shows endMs - spanMs .. endMs and pauses (the span is clamped to kMinSpanMs..kMaxSpanMs).
    void setWindow(qint64 endMs, qint64 spanMs);
    /// factor < 1 zooms in. The time at anchorMs stays where it is (default: the window's middle). Pauses.
    void zoom(double factor, std::optional<qint64> anchorMs = {});
    /// Moves the window by deltaMs (negative: back in time). Pauses.
    void pan(qint64 deltaMs);
    void pause();
    /// Live again: the window ends now and new samples show.
    void resume();

    /// Whether any pen has history at all (not only in the window): "No data yet" otherwise.
    bool hasData() const;
    /// The points of a pen inside the window, by time (empty for a hidden pen).
    const std::vector<telemetry::HistoryPoint>& shownPoints(int pen) const;
    /// The runs of shownPoints(pen) drawn as lines. A point whose quality is bad, stale or untrusted,
    /// or that has no number, is in none; neither is a line drawn across a time gap longer than
    /// gapThresholdMs(pen). Uncertain points are drawn (the chart marks them).
    QList<TrendSegment> segments(int pen) const;
    /// kGapPeriods × the tag's expected period (the store's, else the median spacing of its history);
    /// 0 when unknown.
    qint64 gapThresholdMs(int pen) const;
    /// Whether a point is part of a line: good or uncertain, with a number.
    static bool isDrawable(const telemetry::HistoryPoint& point);

    /// The rows as CSV (UTF-8, header line, "\n" line ends; docs/trends.md).
    QByteArray toCsv() const;

    /// Applies pending changes now: re-reads the store while live (the window then ends now).
    void refresh();
    /// How often pending changes are applied while live. 0: at once on each tagsChanged, with no
    /// timer (the window then moves only on refresh(); for tests).
    void setRefreshInterval(int intervalMs);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void liveChanged(bool live);
    /// The window, the shown points or the pens changed: redraw. At most once per refresh
    /// interval while live, plus once per operator action.
    void shownChanged();

private:
    struct PenData
    {
        std::vector<telemetry::HistoryPoint> history; ///< by time; a snapshot while paused
        std::vector<telemetry::HistoryPoint> shown;
        QList<TrendSegment> segments;
        qint64 gapMs = 0;
    };
    void onTagsChanged(const QStringList& tags);
    void tick();
    void readHistory(int pen);
    void readAllHistory();
    qint64 liveEnd() const;
    void rebuild();
    void setLive(bool live);
    void updateTimer();
    /// The pen and the index into its shown points of a row.
    std::pair<int, int> locate(int row) const;

    QPointer<const telemetry::TagStore> m_store;
    QList<TrendPen> m_pens;
    std::vector<PenData> m_data;
    std::vector<int> m_rowStarts; ///< per pen, the first row of its points
    int m_rowCount = 0;
    qint64 m_spanMs = kDefaultSpanMs;
    qint64 m_endMs = 0;
    bool m_live = true;
    bool m_dirty = false;
    int m_refreshIntervalMs = 250;
    QTimer* m_timer;
};

} // namespace twinspect::ui
