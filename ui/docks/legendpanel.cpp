// SPDX-License-Identifier: Apache-2.0
#include "legendpanel.h"

#include "overlaystyle.h"
#include "twinview.h"

#include <QPainter>

namespace twinspect::ui {

namespace {

struct Entry
{
    QColor color;
    scenes::SurfacePattern pattern;
    QString text;
};

QList<Entry> legendEntries()
{
    using alarms::Priority;
    using scenes::SurfacePattern;
    const QColor grey(0xb8, 0xbc, 0xc2);
    return {
        {grey, SurfacePattern::Solid, LegendPanel::tr("Normal: live, trusted data, no alarm (neutral grey)")},
        {scenes::alarmColor(Priority::Urgent), SurfacePattern::Solid, LegendPanel::tr("Urgent alarm")},
        {scenes::alarmColor(Priority::High), SurfacePattern::Solid, LegendPanel::tr("High alarm")},
        {scenes::alarmColor(Priority::Medium), SurfacePattern::Solid, LegendPanel::tr("Medium alarm")},
        {scenes::alarmColor(Priority::Low), SurfacePattern::Solid,
         LegendPanel::tr("Low alarm — alarm colours blink until acknowledged")},
        {scenes::fadedColor(grey), SurfacePattern::Solid, LegendPanel::tr("Stale: no recent value (faded)")},
        {grey, SurfacePattern::Hatched, LegendPanel::tr("Bad data quality (dark stripes)")},
        {scenes::untrustedColor(), SurfacePattern::Checkered,
         LegendPanel::tr("Untrusted: failed verification (black and white checks)")},
        {scenes::TwinView::highlightColor(), SurfacePattern::Solid, LegendPanel::tr("Selected")},
    };
}

constexpr int kSwatch = 18;
constexpr int kRow = 24;
constexpr int kMargin = 6;

} // namespace

LegendPanel::LegendPanel(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("legendPanel"));
    setAccessibleDescription(entries().join(QLatin1Char('\n')));
}

QStringList LegendPanel::entries() const
{
    QStringList texts;
    for (const Entry& entry : legendEntries())
        texts.append(entry.text);
    return texts;
}

QSize LegendPanel::sizeHint() const
{
    int width = 0;
    for (const Entry& entry : legendEntries())
        width = std::max(width, fontMetrics().horizontalAdvance(entry.text));
    return QSize(width + kSwatch + 3 * kMargin, kMargin * 2 + kRow * int(legendEntries().size()));
}

void LegendPanel::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    int y = kMargin;
    for (const Entry& entry : legendEntries()) {
        const QRect swatch(kMargin, y + (kRow - kSwatch) / 2, kSwatch, kSwatch);
        painter.fillRect(swatch, scenes::backgroundColor());
        painter.fillRect(swatch.adjusted(2, 2, -2, -2), entry.color);
        // The same patterns the shader draws, at the same pixel pitch.
        for (int py = swatch.top() + 2; py <= swatch.bottom() - 2; ++py) {
            for (int px = swatch.left() + 2; px <= swatch.right() - 2; ++px) {
                if (entry.pattern == scenes::SurfacePattern::Hatched && (px + py) % 8 < 3)
                    painter.fillRect(px, py, 1, 1, entry.color.darker(500));
                else if (entry.pattern == scenes::SurfacePattern::Checkered && ((px / 5 + py / 5) & 1))
                    painter.fillRect(px, py, 1, 1, QColor(0xf2, 0xf2, 0xf2));
            }
        }
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(swatch.right() + kMargin, y, width() - swatch.right() - 2 * kMargin, kRow),
                         Qt::AlignVCenter | Qt::AlignLeft, entry.text);
        y += kRow;
    }
}

} // namespace twinspect::ui
