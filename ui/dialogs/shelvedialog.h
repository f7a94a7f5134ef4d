// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace twinspect::ui {

/// Asks how long to shelve alarms and why. The reason is required: it is what the audit log and
/// the next shift read, so the dialog cannot be accepted without one.
class ShelveDialog : public QDialog
{
    Q_OBJECT
public:
    /// `what`: the alarms, as the operator should read them ("DM-TWIT-03:HI, DM-FT01:LO").
    explicit ShelveDialog(const QString& what, QWidget* parent = nullptr);
    ~ShelveDialog() override;

    qint64 durationMs() const;
    QString reason() const;

    QComboBox* durationField() const { return m_duration; }
    QLineEdit* reasonField() const { return m_reason; }
    QPushButton* okButton() const { return m_ok; }

private:
    void updateOk();

    QComboBox* m_duration;
    QLineEdit* m_reason;
    QPushButton* m_ok = nullptr;
};

} // namespace twinspect::ui
