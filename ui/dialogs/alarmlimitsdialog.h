// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QDialog>
#include <QList>

#include <array>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace twinspect::ui {

/// Edits one tag's alarms (limits, priorities, deadband, delays; or the state and priority) over
/// the plant file's, for an admin. Checked in place with alarms::configProblem(): OK stays disabled
/// while the alarms could not be used. Applying is the window's job (signature, file, audit log).
class AlarmLimitsDialog : public QDialog
{
    Q_OBJECT
public:
    struct TagAlarms
    {
        QString tag;
        QString unit;
        std::optional<alarms::AlarmConfig> current;   ///< what the engine uses now
        std::optional<alarms::AlarmConfig> plantFile; ///< what the plant file says
        bool overridden = false;
    };

    /// `tags`: the asset's bound tags; the first one with alarms is shown first.
    explicit AlarmLimitsDialog(const QString& assetName, QList<TagAlarms> tags, QWidget* parent = nullptr);
    ~AlarmLimitsDialog() override;

    QString tag() const;
    /// The alarms as edited (tag and unit set), or the reason they cannot be used.
    std::optional<alarms::AlarmConfig> config() const;
    QString problem() const;
    /// Accepted with "Revert to plant file": drop the override instead of writing one.
    bool revertRequested() const { return m_revert; }

    // The fields, for tests and keyboard users; kinds in AlarmKind order LOLO, LO, HI, HIHI.
    QComboBox* tagField() const { return m_tag; }
    QComboBox* formField() const { return m_form; }
    QCheckBox* limitEnabled(alarms::AlarmKind kind) const;
    QLineEdit* limitField(alarms::AlarmKind kind) const;
    QComboBox* limitPriority(alarms::AlarmKind kind) const;
    QLineEdit* deadbandField() const { return m_deadband; }
    QSpinBox* onDelayField() const { return m_onDelay; }
    QSpinBox* offDelayField() const { return m_offDelay; }
    QComboBox* stateField() const { return m_state; }
    QLineEdit* statesField() const { return m_states; }
    QComboBox* priorityField() const { return m_priority; }
    QLabel* problemLabel() const { return m_problem; }
    QPushButton* okButton() const { return m_ok; }
    QPushButton* revertButton() const { return m_revertButton; }

private:
    struct LimitRow
    {
        QCheckBox* enabled = nullptr;
        QLineEdit* limit = nullptr;
        QComboBox* priority = nullptr;
    };
    void showTag(int index);
    void update();

    QList<TagAlarms> m_tags;
    QComboBox* m_tag;
    QComboBox* m_form;
    QStackedWidget* m_pages;
    std::array<LimitRow, 4> m_limits{};
    QLineEdit* m_deadband;
    QComboBox* m_state;
    QLineEdit* m_states;
    QComboBox* m_priority;
    QSpinBox* m_onDelay;
    QSpinBox* m_offDelay;
    QLabel* m_plantFile;
    QLabel* m_problem;
    QPushButton* m_ok = nullptr;
    QPushButton* m_revertButton = nullptr;
    bool m_revert = false;
    bool m_loading = false;
};

} // namespace twinspect::ui
