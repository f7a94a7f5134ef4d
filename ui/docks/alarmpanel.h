// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QHash>
#include <QSortFilterProxyModel>
#include <QWidget>

#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QTableView;

namespace twinspect {
struct Plant;
namespace alarms {
class AlarmEngine;
}
} // namespace twinspect

namespace twinspect::ui {

class AlarmListModel;

/// Which alarms of the list are shown, by state.
enum class AlarmStateFilter
{
    All, ///< everything listed: live alarms and recent ones
    Active,
    Unacknowledged,
    Shelved,
    Suppressed,
    Recent ///< over (returned and acknowledged) within the recent window
};

/// Filters the alarm list by priority, plant area and state, and sorts it. The default order
/// (priority column, descending) puts the most urgent first and, within a priority, the newest.
class AlarmFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit AlarmFilterModel(QObject* parent = nullptr);
    ~AlarmFilterModel() override;

    /// tag -> area id, from the plant (a tag's area is that of the asset it is bound to).
    void setAreas(QHash<QString, QString> areaByTag);
    void setPriority(std::optional<alarms::Priority> priority);
    /// Empty: every area.
    void setArea(const QString& areaId);
    void setState(AlarmStateFilter state);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QHash<QString, QString> m_areaByTag;
    std::optional<alarms::Priority> m_priority;
    QString m_area;
    AlarmStateFilter m_state = AlarmStateFilter::All;
};

/// The alarm list dock: active and recent alarms, filterable and sortable, with the operator's
/// actions on them. The panel only asks (signals); MainWindow checks the role, takes the
/// electronic signature, acts on the engine and records the audit entries.
class AlarmPanel : public QWidget
{
    Q_OBJECT
public:
    /// How long alarms that are over stay listed as recent.
    static constexpr qint64 kRecentWindowMs = 30 * 60 * 1000;

    explicit AlarmPanel(const alarms::AlarmEngine* engine, QWidget* parent = nullptr);
    ~AlarmPanel() override;

    /// For the area filter and for finding an alarm's asset; nullptr clears.
    void setPlant(std::shared_ptr<const Plant> plant);
    /// The asset a tag is bound to ("" when none).
    QString assetOfTag(const QString& tag) const;

    /// Alarm ids in the order shown, after filtering.
    QStringList shownAlarmIds() const;
    QStringList selectedAlarmIds() const;
    /// Selects these rows (those shown); for keyboard users coming from elsewhere and for tests.
    void selectAlarms(const QStringList& alarmIds);

    QTableView* table() const { return m_table; }
    AlarmListModel* listModel() const { return m_model; }
    AlarmFilterModel* filterModel() const { return m_filter; }
    QComboBox* priorityFilter() const { return m_priority; }
    QComboBox* areaFilter() const { return m_area; }
    QComboBox* stateFilter() const { return m_state; }
    QAction* acknowledgeAction() const { return m_acknowledge; }
    QAction* acknowledgeShownAction() const { return m_acknowledgeShown; }
    QAction* shelveAction() const { return m_shelve; }
    QAction* unshelveAction() const { return m_unshelve; }
    /// "3 shown of 5"
    QString summaryText() const;

Q_SIGNALS:
    void acknowledgeRequested(const QStringList& alarmIds);
    void shelveRequested(const QStringList& alarmIds);
    void unshelveRequested(const QStringList& alarmIds);
    /// Double-click or Enter on a row: the asset the alarm's tag is bound to.
    void assetActivated(const QString& assetId);

private:
    /// Of these ids, those whose alarm satisfies `pred` (recent rows never do).
    QStringList idsWhere(const QStringList& ids, bool (*pred)(const alarms::AlarmStatus&)) const;
    void updateActions();
    void activateRow(const QModelIndex& index);

    const alarms::AlarmEngine* m_engine;
    AlarmListModel* m_model;
    AlarmFilterModel* m_filter;
    QTableView* m_table;
    QComboBox* m_priority;
    QComboBox* m_area;
    QComboBox* m_state;
    QLabel* m_summary;
    QAction* m_acknowledge;
    QAction* m_acknowledgeShown;
    QAction* m_shelve;
    QAction* m_unshelve;
    std::shared_ptr<const Plant> m_plant;
    QHash<QString, QString> m_assetByTag;
};

} // namespace twinspect::ui
