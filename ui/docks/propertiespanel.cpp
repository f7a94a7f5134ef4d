// SPDX-License-Identifier: Apache-2.0
#include "propertiespanel.h"

#include "alarms/alarmengine.h"
#include "plant/plant.h"
#include "telemetry/tagstore.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QHeaderView>
#include <QTimer>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace twinspect::ui {

namespace {

QString formatVec3(const Vec3& v, const QString& unit = {})
{
    const QString suffix = unit.isEmpty() ? QString() : QLatin1Char(' ') + unit;
    return QStringLiteral("%1, %2, %3").arg(v.x, 0, 'g', 6).arg(v.y, 0, 'g', 6).arg(v.z, 0, 'g', 6) + suffix;
}

void addField(QTreeWidgetItem* section, const QString& name, const QString& value)
{
    auto* item = new QTreeWidgetItem(section, {name, value});
    item->setToolTip(1, value);
    if (value.startsWith(QLatin1String("http://")) || value.startsWith(QLatin1String("https://")) ||
        value.startsWith(QLatin1String("file:"))) {
        QFont font = item->font(1);
        font.setUnderline(true);
        item->setFont(1, font);
        item->setData(1, Qt::UserRole, value);
    }
}

QString geometryText(const Geometry& g)
{
    if (g.isMesh) {
        QString text = g.mesh.declaredPath;
        if (!g.mesh.node.isEmpty())
            text += QStringLiteral(" (node %1)").arg(g.mesh.node);
        return text;
    }
    switch (g.primitive) {
    case PrimitiveKind::Box:
        return QStringLiteral("box %1 × %2 × %3 m").arg(g.extent.x).arg(g.extent.y).arg(g.extent.z);
    case PrimitiveKind::Cylinder:
        return QStringLiteral("cylinder r %1 m, h %2 m").arg(g.extent.x / 2).arg(g.extent.y);
    case PrimitiveKind::Sphere:
        return QStringLiteral("sphere r %1 m").arg(g.extent.x / 2);
    }
    return {};
}

QString bindingText(const TagBinding& tag)
{
    QString text = tag.role;
    if (!tag.unit.isEmpty())
        text += QStringLiteral(", ") + tag.unit;
    if (tag.rangeMin && tag.rangeMax)
        text += QStringLiteral(", %1 … %2").arg(*tag.rangeMin).arg(*tag.rangeMax);
    return text;
}

QString ageText(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 10'000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    if (ms < 120'000)
        return QStringLiteral("%1 s").arg(ms / 1000);
    if (ms < 7'200'000)
        return QStringLiteral("%1 min").arg(ms / 60'000);
    return QStringLiteral("%1 h").arg(ms / 3'600'000);
}

} // namespace

PropertiesPanel::PropertiesPanel(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_ageTimer(new QTimer(this))
{
    // Ages tick while nothing changes; once a second is enough for a number read by a person.
    m_ageTimer->setInterval(1000);
    connect(m_ageTimer, &QTimer::timeout, this, [this] { refreshTags(m_tagRows.keys()); });
    m_tree->setObjectName(QStringLiteral("propertiesTree"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Property"), tr("Value")});
    m_tree->setRootIsDecorated(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) { openLink(item); });
}

PropertiesPanel::~PropertiesPanel() = default;

QTreeWidgetItem* PropertiesPanel::addSection(const QString& title)
{
    auto* section = new QTreeWidgetItem(m_tree, {title});
    QFont font = section->font(0);
    font.setBold(true);
    section->setFont(0, font);
    section->setFirstColumnSpanned(true);
    section->setExpanded(true);
    return section;
}

void PropertiesPanel::showItem(const Plant* plant, const QString& id, const QString& renderProblem)
{
    m_tree->clear();
    m_tagRows.clear();
    m_ageTimer->stop();
    if (!plant || id.isEmpty())
        return;
    if (const Asset* asset = plant->asset(id)) {
        QTreeWidgetItem* general = addSection(tr("Asset"));
        addField(general, tr("Id"), asset->id);
        addField(general, tr("Name"), asset->name);
        addField(general, tr("Type"), asset->type);
        if (asset->areaIndex >= 0 && asset->areaIndex < plant->areas.size()) {
            const Area& area = plant->areas.at(asset->areaIndex);
            addField(general, tr("Area"), area.name);
            if (asset->unitIndex >= 0 && asset->unitIndex < area.units.size())
                addField(general, tr("Unit"), area.units.at(asset->unitIndex).name);
        }
        QTreeWidgetItem* placement = addSection(tr("Placement"));
        addField(placement, tr("Position"), formatVec3(asset->transform.position, QStringLiteral("m")));
        addField(placement, tr("Rotation"), formatVec3(asset->transform.rotationDegrees, QStringLiteral("°")));
        addField(placement, tr("Scale"), formatVec3(asset->transform.scale));
        addField(placement, tr("Geometry"), geometryText(asset->geometry));

        QTreeWidgetItem* tags = addSection(tr("Tag bindings (%1)").arg(asset->tags.size()));
        for (const TagBinding& tag : asset->tags) {
            auto* row = new QTreeWidgetItem(tags, {tag.tagId});
            m_tagRows.insert(tag.tagId, {row, tag});
            showTag(row, tag);
        }
        if (m_store && !m_tagRows.isEmpty())
            m_ageTimer->start();
        if (!asset->metadata.isEmpty()) {
            QTreeWidgetItem* metadata = addSection(tr("Metadata"));
            for (const MetadataEntry& entry : asset->metadata)
                addField(metadata, entry.key, entry.value);
        }
        const QString problem = renderProblem.isEmpty() ? asset->problem : renderProblem;
        if (!problem.isEmpty())
            addField(addSection(tr("Problems")), tr("Mesh"), problem);
        return;
    }
    for (const Pipe& pipe : plant->pipes) {
        if (pipe.id != id)
            continue;
        QTreeWidgetItem* general = addSection(tr("Pipe"));
        addField(general, tr("Id"), pipe.id);
        addField(general, tr("Name"), pipe.name);
        addField(general, tr("From"), pipe.fromAssetId);
        addField(general, tr("To"), pipe.toAssetId);
        addField(general, tr("Diameter"), QStringLiteral("%1 m").arg(pipe.diameter));
        addField(general, tr("Bends"), QString::number(pipe.waypoints.size()));
        if (!pipe.metadata.isEmpty()) {
            QTreeWidgetItem* metadata = addSection(tr("Metadata"));
            for (const MetadataEntry& entry : pipe.metadata)
                addField(metadata, entry.key, entry.value);
        }
        return;
    }
}

void PropertiesPanel::setTagStore(const telemetry::TagStore* store)
{
    m_store = store;
    if (store)
        connect(store, &telemetry::TagStore::tagsChanged, this, &PropertiesPanel::refreshTags);
}

void PropertiesPanel::setAlarmEngine(const alarms::AlarmEngine* engine)
{
    m_alarms = engine;
    if (!engine)
        return;
    connect(engine, &alarms::AlarmEngine::alarmsChanged, this, [this](const QStringList& ids) {
        QStringList tags;
        for (const QString& id : ids)
            tags.append(id.section(u':', 0, -2));
        refreshTags(tags);
    });
}

void PropertiesPanel::refreshTags(const QStringList& changed)
{
    for (const QString& tag : changed) {
        const auto it = m_tagRows.constFind(tag);
        if (it != m_tagRows.constEnd())
            showTag(it->row, it->binding);
    }
}

void PropertiesPanel::showTag(QTreeWidgetItem* row, const TagBinding& binding) const
{
    using telemetry::Quality;
    const telemetry::TagState* state = m_store ? m_store->state(binding.tagId) : nullptr;
    QString text;
    QString tip = bindingText(binding);
    QColor colour;
    bool italic = false;
    if (!state || !state->hasValue()) {
        // Say plainly that nothing came: a blank would look like a zero or a fault.
        text = m_store ? tr("no data yet · %1").arg(bindingText(binding)) : bindingText(binding);
        italic = true;
    } else {
        const Quality quality = m_store->effectiveQuality(*state);
        QString value = telemetry::valueText(state->value);
        if (!binding.unit.isEmpty() && std::holds_alternative<double>(state->value))
            value += u' ' + binding.unit;
        const qint64 age = m_store->now() - state->receiveTimeMs;
        const QString trust = state->authenticity == telemetry::Authenticity::Signed ? tr("signed") : tr("TLS");
        text = tr("%1 · %2 · %3 old · %4").arg(value, telemetry::qualityName(quality), ageText(age), trust);
        tip += u'\n' +
               tr("Quality: %1\nSource time: %2\nReceived: %3\nBackend: %4\nOrigin: %5")
                   .arg(telemetry::qualityName(quality),
                        state->sourceTimeMs
                            ? QDateTime::fromMSecsSinceEpoch(state->sourceTimeMs, Qt::UTC).toString(Qt::ISODateWithMs)
                            : tr("not given"),
                        QDateTime::fromMSecsSinceEpoch(state->receiveTimeMs, Qt::UTC).toString(Qt::ISODateWithMs),
                        state->sourceId,
                        state->authenticity == telemetry::Authenticity::Signed
                            ? tr("signed by the publisher, verified against the trust list")
                            : tr("authenticated transport (TLS) only"));
        switch (quality) {
        case Quality::Good:
            break;
        case Quality::Uncertain:
            colour = QColor(0x8d, 0x6e, 0x00);
            break;
        case Quality::Stale:
            colour = palette().color(QPalette::Disabled, QPalette::Text);
            italic = true;
            break;
        case Quality::Bad:
            colour = QColor(0xc6, 0x28, 0x28);
            break;
        case Quality::Untrusted:
            colour = QColor(0x6a, 0x1b, 0x9a);
            break;
        }
    }
    // The tag's alarms that are not normal, most urgent first: "HI active, unacknowledged (high)".
    if (m_alarms) {
        QStringList states;
        for (const QString& id : m_alarms->alarmIds(binding.tagId)) {
            const std::optional<alarms::AlarmStatus> alarm = m_alarms->alarm(id);
            if (!alarm || alarm->state == alarms::AlarmState::Normal ||
                (alarm->state == alarms::AlarmState::Suppressed && !alarm->hasData))
                continue;
            states.append(
                QStringLiteral("%1 %2 (%3)")
                    .arg(alarms::kindName(alarm->kind), alarm->stateText(), alarms::priorityName(alarm->priority)));
        }
        if (!states.isEmpty()) {
            text += QStringLiteral(" · ALARM ") + states.join(QStringLiteral("; "));
            tip += u'\n' + tr("Alarms: %1").arg(states.join(QStringLiteral("; ")));
        }
    }
    row->setText(1, text);
    row->setToolTip(1, tip);
    row->setToolTip(0, tip);
    QFont font = row->font(1);
    font.setItalic(italic);
    font.setBold(state && state->hasValue() && m_store->effectiveQuality(*state) == Quality::Untrusted);
    row->setFont(1, font);
    row->setForeground(1, colour.isValid() ? QBrush(colour) : palette().brush(QPalette::Text));
}

QString PropertiesPanel::valueOf(const QString& section, const QString& field) const
{
    for (int s = 0; s < m_tree->topLevelItemCount(); ++s) {
        const QTreeWidgetItem* sectionItem = m_tree->topLevelItem(s);
        if (!sectionItem->text(0).startsWith(section))
            continue;
        for (int f = 0; f < sectionItem->childCount(); ++f) {
            if (sectionItem->child(f)->text(0) == field)
                return sectionItem->child(f)->text(1);
        }
    }
    return {};
}

void PropertiesPanel::openLink(QTreeWidgetItem* item)
{
    const QString link = item->data(1, Qt::UserRole).toString();
    if (!link.isEmpty())
        QDesktopServices::openUrl(QUrl(link));
}

} // namespace twinspect::ui
