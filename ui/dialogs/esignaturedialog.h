// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace twinspect::ui {

/// An electronic signature (21 CFR Part 11 §11.50/11.200): shows what is signed and by whom,
/// asks for the meaning and the password again. The session manager checks and records it.
class ESignatureDialog : public QDialog
{
    Q_OBJECT
public:
    /// With `askUserId`, the signer types their user id too (the first signature of a session).
    ESignatureDialog(const QString& printedName, const QString& what, bool askUserId, QWidget* parent = nullptr);
    ~ESignatureDialog() override;

    QString password() const;
    QString userId() const;
    QLineEdit* userIdField() const { return m_userId; }
    QString meaning() const;
    void showError(const QString& message);
    void setBusy(bool busy);

    QLineEdit* passwordField() const { return m_password; }
    QComboBox* meaningField() const { return m_meaning; }

Q_SIGNALS:
    void submitted();

private:
    QComboBox* m_meaning;
    QLineEdit* m_password;
    QLineEdit* m_userId;
    QLabel* m_error;
    QWidget* m_ok;
};

} // namespace twinspect::ui
