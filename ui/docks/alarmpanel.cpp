// SPDX-License-Identifier: Apache-2.0
#include "alarmpanel.h"

#include "alarms/alarmengine.h"
#include "models/alarmlistmodel.h"
#include "plant/plant.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <tuple>

namespace twinspect::ui {

AlarmFilterModel::AlarmFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AlarmListModel::SortRole);
}

AlarmFilterModel::~AlarmFilterModel() = default;

void AlarmFilterModel::setAreas(QHash<QString, QString> areaByTag)
{
    m_areaByTag = std::move(areaByTag);
    invalidateFilter();
}

void AlarmFilterModel::setPriority(std::optional<alarms::Priority> priority)
{
    if (m_priority == priority)
        return;
    m_priority = priority;
    invalidateFilter();
}

void AlarmFilterModel::setArea(const QString& areaId)
{
    if (m_area == areaId)
        return;
    m_area = areaId;
    invalidateFilter();
}

void AlarmFilterModel::setState(AlarmStateFilter state)
{
    if (m_state == state)
        return;
    m_state = state;
    invalidateFilter();
}

bool AlarmFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* model = qobject_cast<const AlarmListModel*>(sourceModel());
    const alarms::AlarmStatus* alarm = model && !sourceParent.isValid() ? model->alarmAt(sourceRow) : nullptr;
    if (!alarm)
        return false;
    if (m_priority && alarm->priority != *m_priority)
        return false;
    if (!m_area.isEmpty() && m_areaByTag.value(alarm->tag) != m_area)
        return false;
    const bool recent = model->isRecent(sourceRow);
    switch (m_state) {
    case AlarmStateFilter::All:
        return true;
    case AlarmStateFilter::Active:
        return !recent && alarm->isActive();
    case AlarmStateFilter::Unacknowledged:
        return !recent && alarm->isUnacknowledged();
    case AlarmStateFilter::Shelved:
        return alarm->state == alarms::AlarmState::Shelved;
    case AlarmStateFilter::Suppressed:
        return alarm->state == alarms::AlarmState::Suppressed;
    case AlarmStateFilter::Recent:
        return recent;
    }
    return true;
}

bool AlarmFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (left.column() != AlarmListModel::Priority)
        return QSortFilterProxyModel::lessThan(left, right);
    // Live alarms above recent ones whatever their priority, then priority, then time: sorted
    // descending, the most urgent live alarm is on top and, within a priority, the newest.
    const auto key = [](const QModelIndex& index) {
        return std::tuple(!index.data(AlarmListModel::RecentRole).toBool(),
                          index.data(AlarmListModel::SortRole).toInt(),
                          index.siblingAtColumn(AlarmListModel::Activated).data(AlarmListModel::SortRole).toLongLong(),
                          index.data(AlarmListModel::AlarmIdRole).toString());
    };
    return key(left) < key(right);
}

AlarmPanel::AlarmPanel(const alarms::AlarmEngine* engine, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new AlarmListModel(engine, this))
    , m_filter(new AlarmFilterModel(this))
    , m_table(new QTableView)
    , m_priority(new QComboBox)
    , m_area(new QComboBox)
    , m_state(new QComboBox)
    , m_summary(new QLabel)
    , m_acknowledge(new QAction(tr("&Acknowledge"), this))
    , m_acknowledgeShown(new QAction(tr("Acknowledge all &shown"), this))
    , m_shelve(new QAction(tr("S&helve…"), this))
    , m_unshelve(new QAction(tr("&Unshelve"), this))
{
    setObjectName(QStringLiteral("alarmPanel"));
    m_model->setRecentWindow(kRecentWindowMs);
    m_filter->setSourceModel(m_model);

    m_priority->setObjectName(QStringLiteral("alarmPriorityFilter"));
    m_priority->addItem(tr("All priorities"), -1);
    for (const alarms::Priority p :
         {alarms::Priority::Urgent, alarms::Priority::High, alarms::Priority::Medium, alarms::Priority::Low})
        m_priority->addItem(alarms::priorityName(p), static_cast<int>(p));
    m_area->setObjectName(QStringLiteral("alarmAreaFilter"));
    m_area->addItem(tr("All areas"), QString());
    m_state->setObjectName(QStringLiteral("alarmStateFilter"));
    m_state->addItem(tr("Active and recent"), static_cast<int>(AlarmStateFilter::All));
    m_state->addItem(tr("Active"), static_cast<int>(AlarmStateFilter::Active));
    m_state->addItem(tr("Unacknowledged"), static_cast<int>(AlarmStateFilter::Unacknowledged));
    m_state->addItem(tr("Shelved"), static_cast<int>(AlarmStateFilter::Shelved));
    m_state->addItem(tr("Suppressed"), static_cast<int>(AlarmStateFilter::Suppressed));
    m_state->addItem(tr("Recent (over)"), static_cast<int>(AlarmStateFilter::Recent));
    connect(m_priority, &QComboBox::currentIndexChanged, this, [this] {
        const int p = m_priority->currentData().toInt();
        m_filter->setPriority(p < 0 ? std::nullopt : std::optional(static_cast<alarms::Priority>(p)));
    });
    connect(m_area, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setArea(m_area->currentData().toString()); });
    connect(m_state, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setState(static_cast<AlarmStateFilter>(m_state->currentData().toInt())); });

    m_table->setObjectName(QStringLiteral("alarmTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AlarmListModel::Priority, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_table, &QTableView::activated, this, &AlarmPanel::activateRow);

    m_acknowledge->setObjectName(QStringLiteral("acknowledgeAlarms"));
    m_acknowledge->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_acknowledge->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_acknowledge->setToolTip(tr("Acknowledge the selected alarms (Ctrl+K); asks for your electronic signature"));
    m_acknowledgeShown->setObjectName(QStringLiteral("acknowledgeShownAlarms"));
    m_acknowledgeShown->setToolTip(
        tr("Acknowledge every unacknowledged alarm the filters show, under one electronic signature"));
    m_shelve->setObjectName(QStringLiteral("shelveAlarms"));
    m_shelve->setToolTip(tr("Take the selected alarms out of annunciation for a while, with a reason"));
    m_unshelve->setObjectName(QStringLiteral("unshelveAlarms"));
    m_unshelve->setToolTip(tr("Return the selected shelved alarms to annunciation now"));
    connect(m_acknowledge, &QAction::triggered, this, [this] {
        const QStringList ids =
            idsWhere(selectedAlarmIds(), [](const alarms::AlarmStatus& a) { return a.isUnacknowledged(); });
        if (!ids.isEmpty())
            Q_EMIT acknowledgeRequested(ids);
    });
    connect(m_acknowledgeShown, &QAction::triggered, this, [this] {
        const QStringList ids =
            idsWhere(shownAlarmIds(), [](const alarms::AlarmStatus& a) { return a.isUnacknowledged(); });
        if (!ids.isEmpty())
            Q_EMIT acknowledgeRequested(ids);
    });
    connect(m_shelve, &QAction::triggered, this, [this] {
        const QStringList ids = idsWhere(selectedAlarmIds(), [](const alarms::AlarmStatus& a) {
            return a.state != alarms::AlarmState::Normal && a.state != alarms::AlarmState::Shelved;
        });
        if (!ids.isEmpty())
            Q_EMIT shelveRequested(ids);
    });
    connect(m_unshelve, &QAction::triggered, this, [this] {
        const QStringList ids = idsWhere(
            selectedAlarmIds(), [](const alarms::AlarmStatus& a) { return a.state == alarms::AlarmState::Shelved; });
        if (!ids.isEmpty())
            Q_EMIT unshelveRequested(ids);
    });
    const QList<QAction*> actions{m_acknowledge, m_acknowledgeShown, m_shelve, m_unshelve};
    addActions(actions); // the shortcuts work wherever the focus is inside the panel
    m_table->addActions(actions);

    auto* toolbar = new QToolBar;
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions(actions);
    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show")));
    filters->addWidget(m_state);
    filters->addWidget(m_priority);
    filters->addWidget(m_area);
    filters->addStretch(1);
    m_summary->setObjectName(QStringLiteral("alarmSummary"));
    filters->addWidget(m_summary);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(filters);
    layout->addWidget(toolbar);
    layout->addWidget(m_table);

    // The model resets on every change set: keep the operator's selection across it.
    auto kept = std::make_shared<QStringList>();
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this, kept] { *kept = selectedAlarmIds(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this, kept] {
        selectAlarms(*kept);
        updateActions();
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &AlarmPanel::updateActions);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &AlarmPanel::updateActions);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &AlarmPanel::updateActions);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AlarmPanel::updateActions);
    updateActions();
}

AlarmPanel::~AlarmPanel() = default;

void AlarmPanel::setPlant(std::shared_ptr<const Plant> plant)
{
    m_plant = std::move(plant);
    m_assetByTag.clear();
    QHash<QString, QString> areaByTag;
    const QString keptArea = m_area->currentData().toString();
    m_area->blockSignals(true);
    while (m_area->count() > 1)
        m_area->removeItem(1);
    if (const Plant* p = m_plant.get()) {
        for (const Area& area : p->areas)
            m_area->addItem(area.name.isEmpty() ? area.id : area.name, area.id);
        for (const Asset& asset : p->assets) {
            for (const TagBinding& binding : asset.tags) {
                // A tag bound to several assets belongs to the first, as the properties dock shows it.
                if (m_assetByTag.contains(binding.tagId))
                    continue;
                m_assetByTag.insert(binding.tagId, asset.id);
                if (asset.areaIndex >= 0 && asset.areaIndex < p->areas.size())
                    areaByTag.insert(binding.tagId, p->areas.at(asset.areaIndex).id);
            }
        }
    }
    m_area->setCurrentIndex(std::max(0, m_area->findData(keptArea)));
    m_area->blockSignals(false);
    m_filter->setAreas(std::move(areaByTag));
    m_filter->setArea(m_area->currentData().toString());
    updateActions();
}

QString AlarmPanel::assetOfTag(const QString& tag) const
{
    return m_assetByTag.value(tag);
}

QStringList AlarmPanel::shownAlarmIds() const
{
    QStringList ids;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        ids.append(m_filter->index(row, 0).data(AlarmListModel::AlarmIdRole).toString());
    return ids;
}

QStringList AlarmPanel::selectedAlarmIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows)
        ids.append(index.data(AlarmListModel::AlarmIdRole).toString());
    return ids;
}

void AlarmPanel::selectAlarms(const QStringList& alarmIds)
{
    QItemSelection selection;
    QModelIndex first;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const QModelIndex index = m_filter->index(row, 0);
        if (!alarmIds.contains(index.data(AlarmListModel::AlarmIdRole).toString()))
            continue;
        selection.select(index, index.siblingAtColumn(AlarmListModel::ColumnCount - 1));
        if (!first.isValid())
            first = index;
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid())
        m_table->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
}

QStringList AlarmPanel::idsWhere(const QStringList& ids, bool (*pred)(const alarms::AlarmStatus&)) const
{
    QStringList matching;
    for (const QString& id : ids) {
        const std::optional<alarms::AlarmStatus> alarm = m_engine->alarm(id);
        if (alarm && pred(*alarm))
            matching.append(id);
    }
    return matching;
}

QString AlarmPanel::summaryText() const
{
    return m_summary->text();
}

void AlarmPanel::updateActions()
{
    const QStringList selected = selectedAlarmIds();
    const auto unacknowledged = [](const alarms::AlarmStatus& a) { return a.isUnacknowledged(); };
    m_acknowledge->setEnabled(!idsWhere(selected, unacknowledged).isEmpty());
    m_acknowledgeShown->setEnabled(!idsWhere(shownAlarmIds(), unacknowledged).isEmpty());
    m_shelve->setEnabled(!idsWhere(selected, [](const alarms::AlarmStatus& a) {
                              return a.state != alarms::AlarmState::Normal && a.state != alarms::AlarmState::Shelved;
                          }).isEmpty());
    m_unshelve->setEnabled(!idsWhere(selected, [](const alarms::AlarmStatus& a) {
                                return a.state == alarms::AlarmState::Shelved;
                            }).isEmpty());
    m_summary->setText(tr("%1 shown of %2").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

void AlarmPanel::activateRow(const QModelIndex& index)
{
    const std::optional<alarms::AlarmStatus> alarm =
        m_engine->alarm(index.data(AlarmListModel::AlarmIdRole).toString());
    const QString asset = alarm ? assetOfTag(alarm->tag) : QString();
    if (!asset.isEmpty())
        Q_EMIT assetActivated(asset);
}

} // namespace twinspect::ui
