// SPDX-License-Identifier: Apache-2.0
#include "labellayer.h"

#include "labelplacement.h"
#include "overlaystyle.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"
#include "telemetryoverlay.h"
#include "twinview.h"

#include <QEvent>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QRegion>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <variant>

namespace twinspect::ui {

namespace {

constexpr int kPadding = 4;
constexpr int kStripe = 4;
constexpr int kLift = 6; ///< pixels between an asset's top and its label

/// A number as an operator reads it at a glance: four significant figures at most, no exponent
/// for plant-sized values ("96.24", "1013", "0.8302").
QString compactValueText(const telemetry::Value& value)
{
    if (const double* number = std::get_if<double>(&value)) {
        const double magnitude = std::abs(*number);
        const int decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 4;
        return QString::number(*number, 'f', decimals);
    }
    return telemetry::valueText(value);
}

} // namespace

LabelLayer::LabelLayer(scenes::TwinView* view)
    : QRasterWindow(view->window())
    , m_view(view)
    , m_layoutTimer(new QTimer(this))
    , m_valueTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("labelLayer"));
    setCursor(Qt::PointingHandCursor);
    QWindow* parent = view->window();
    connect(parent, &QWindow::widthChanged, this, &LabelLayer::scheduleLayout);
    connect(parent, &QWindow::heightChanged, this, &LabelLayer::scheduleLayout);

    m_layoutTimer->setSingleShot(true);
    m_layoutTimer->setInterval(0);
    connect(m_layoutTimer, &QTimer::timeout, this, &LabelLayer::relayout);
    // Values change up to 60 times a second; a label that changes 5 times a second is readable.
    m_valueTimer->setSingleShot(true);
    m_valueTimer->setInterval(200);
    connect(m_valueTimer, &QTimer::timeout, this, &LabelLayer::relayout);
    connect(view, &scenes::TwinView::cameraChanged, this, &LabelLayer::scheduleLayout);
    hide();
}

LabelLayer::~LabelLayer() = default;

void LabelLayer::setSources(std::shared_ptr<const Plant> plant, const telemetry::TagStore* store,
                            const scenes::TelemetryOverlay* overlay)
{
    for (const QMetaObject::Connection& c : std::as_const(m_sourceConnections))
        disconnect(c);
    m_sourceConnections.clear();
    m_plant = std::move(plant);
    m_store = store;
    m_overlay = overlay;
    m_assetIndex.clear();
    if (m_plant) {
        for (qsizetype i = 0; i < m_plant->assets.size(); ++i)
            m_assetIndex.insert(m_plant->assets.at(i).id, static_cast<int>(i));
    }
    if (store)
        m_sourceConnections.append(connect(store, &telemetry::TagStore::tagsChanged, this, &LabelLayer::onTagsChanged));
    // Conditions can change every frame under a heavy feed; labels follow at the value pace.
    if (overlay)
        m_sourceConnections.append(connect(overlay, &scenes::TelemetryOverlay::conditionsChanged, this, [this] {
            if (!m_valueTimer->isActive())
                m_valueTimer->start();
        }));
    scheduleLayout();
}

void LabelLayer::setSelectedAsset(const QString& id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    scheduleLayout();
}

void LabelLayer::setShowAll(bool showAll)
{
    if (showAll == m_showAll)
        return;
    m_showAll = showAll;
    scheduleLayout();
}

QStringList LabelLayer::shownAssets() const
{
    QStringList ids;
    for (const Label& label : m_labels)
        ids.append(label.assetId);
    return ids;
}

QRect LabelLayer::labelRect(const QString& assetId) const
{
    for (const Label& label : m_labels) {
        if (label.assetId == assetId)
            return label.rect;
    }
    return {};
}

QString LabelLayer::labelText(const QString& assetId) const
{
    for (const Label& label : m_labels) {
        if (label.assetId == assetId)
            return label.note.isEmpty() ? label.text : label.text + QLatin1Char(' ') + label.note;
    }
    return {};
}

void LabelLayer::scheduleLayout()
{
    if (!m_layoutTimer->isActive())
        m_layoutTimer->start();
}

void LabelLayer::onTagsChanged(const QStringList& tags)
{
    if (m_valueTimer->isActive())
        return;
    for (const QString& tag : tags) {
        if (m_labelledTags.contains(tag)) {
            m_valueTimer->start();
            return;
        }
    }
}

LabelLayer::Label LabelLayer::makeLabel(int assetIndex) const
{
    const Asset& asset = m_plant->assets.at(assetIndex);
    Label label;
    label.assetId = asset.id;
    label.text = asset.id;
    // The tag in alarm stands for the asset; otherwise the first that has reported (a transmitter
    // has one tag, a pump its command and feedback).
    const scenes::AssetCondition condition = m_overlay ? m_overlay->condition(asset.id) : scenes::AssetCondition{};
    if (m_store) {
        for (const TagBinding& binding : asset.tags) {
            if (!condition.alarmTag.isEmpty() && binding.tagId != condition.alarmTag)
                continue;
            const telemetry::TagState* state = m_store->state(binding.tagId);
            if (!state || !state->hasValue())
                continue;
            label.text += QStringLiteral("  ") + compactValueText(state->value);
            if (!binding.unit.isEmpty())
                label.text += QLatin1Char(' ') + binding.unit;
            break;
        }
    }
    if (m_overlay) {
        const scenes::AssetCondition& c = condition;
        if (c.alarmed) {
            label.stripe = scenes::alarmColor(c.priority);
            label.note = alarms::priorityName(c.priority).toUpper();
            if (c.unacknowledged)
                label.note += tr(" unack");
        } else if (c.untrusted) {
            label.note = tr("untrusted");
        } else if (c.bad) {
            label.note = tr("bad");
        } else if (c.stale) {
            label.note = tr("stale");
        }
    }
    const QFontMetrics metrics(QGuiApplication::font());
    const int width = metrics.horizontalAdvance(label.text) +
                      (label.note.isEmpty() ? 0 : metrics.horizontalAdvance(label.note) + 2 * kPadding) + 2 * kPadding +
                      kStripe;
    label.rect = QRect(0, 0, width, metrics.height() + kPadding);
    return label;
}

void LabelLayer::relayout()
{
    m_labels.clear();
    if (m_plant) {
        // Candidates most important first: the selection, alarms by priority, then (on demand)
        // everything else, lower on screen (nearer the camera, as a rule) first.
        QList<int> order;
        QSet<int> taken;
        const auto take = [&](const QString& id) {
            const int index = m_assetIndex.value(id, -1);
            if (index >= 0 && !taken.contains(index)) {
                taken.insert(index);
                order.append(index);
            }
        };
        take(m_selected);
        if (m_overlay) {
            for (const QString& id : m_overlay->alarmedAssets())
                take(id);
        }
        QList<QPair<qreal, int>> rest;
        QHash<int, QPointF> anchors;
        for (const int index : std::as_const(order)) {
            if (const std::optional<QPointF> top = m_view->projectedTop(m_plant->assets.at(index).id))
                anchors.insert(index, *top);
        }
        if (m_showAll) {
            for (qsizetype i = 0; i < m_plant->assets.size(); ++i) {
                if (taken.contains(static_cast<int>(i)))
                    continue;
                if (const std::optional<QPointF> top = m_view->projectedTop(m_plant->assets.at(i).id)) {
                    anchors.insert(static_cast<int>(i), *top);
                    rest.append({-top->y(), static_cast<int>(i)});
                }
            }
            std::sort(rest.begin(), rest.end());
            for (const auto& [key, index] : std::as_const(rest))
                order.append(index);
        }
        // Text is measured only for candidates that can still fit, so 10,000 assets cost little.
        QList<Label> candidates;
        QList<QRectF> rects;
        for (const int index : std::as_const(order)) {
            const auto anchor = anchors.constFind(index);
            if (anchor == anchors.cend())
                continue;
            Label label = makeLabel(index);
            label.rect.moveCenter(anchor->toPoint());
            label.rect.moveBottom(static_cast<int>(anchor->y()) - kLift);
            rects.append(QRectF(label.rect));
            candidates.append(std::move(label));
            if (candidates.size() >= m_maxLabels * 4)
                break; // beyond this many candidates, more would only be dropped as overlapping
        }
        for (const int kept : scenes::placeLabels(rects, m_maxLabels))
            m_labels.append(candidates.at(kept));
    }
    m_labelledTags.clear();
    for (const Label& label : std::as_const(m_labels)) {
        for (const TagBinding& binding : m_plant->assets.at(m_assetIndex.value(label.assetId)).tags)
            m_labelledTags.insert(binding.tagId);
    }
    QRegion region;
    for (const Label& label : std::as_const(m_labels))
        region += label.rect;
    if (region.isEmpty()) {
        hide();
        return;
    }
    // Only as large as the labels need, and shaped to them: a child window covering the whole 3D
    // window, even for a moment, makes X report the 3D window obscured and Qt 3D stop drawing.
    // The shape goes first, so the window is never unshaped at its new size.
    m_origin = region.boundingRect().topLeft();
    setMask(region.translated(-m_origin));
    setGeometry(region.boundingRect());
    show();
    update();
}

void LabelLayer::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.translate(-m_origin);
    painter.setFont(QGuiApplication::font());
    const QFontMetrics metrics(QGuiApplication::font());
    for (const Label& label : std::as_const(m_labels)) {
        painter.fillRect(label.rect, QColor(0x16, 0x18, 0x1b));
        painter.setPen(QColor(0x70, 0x76, 0x7e));
        painter.drawRect(label.rect.adjusted(0, 0, -1, -1));
        if (label.stripe.isValid())
            painter.fillRect(QRect(label.rect.topLeft(), QSize(kStripe, label.rect.height())), label.stripe);
        const int baseline = label.rect.top() + kPadding / 2 + metrics.ascent();
        int x = label.rect.left() + kStripe + kPadding;
        painter.setPen(QColor(0xf0, 0xf0, 0xf0));
        painter.drawText(x, baseline, label.text);
        if (!label.note.isEmpty()) {
            x += metrics.horizontalAdvance(label.text) + kPadding;
            painter.setPen(label.stripe.isValid() ? label.stripe : QColor(0xb0, 0xb4, 0xba));
            painter.drawText(x, baseline, label.note);
        }
    }
}

void LabelLayer::mousePressEvent(QMouseEvent* event)
{
    for (const Label& label : std::as_const(m_labels)) {
        if (label.rect.contains(event->position().toPoint() + m_origin)) {
            Q_EMIT assetClicked(label.assetId);
            return;
        }
    }
}

} // namespace twinspect::ui
