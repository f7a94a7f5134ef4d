// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace twinspect::ui {

/// The one dialog for who-is-at-the-keyboard questions: the first admin at first run, logging in,
/// unlocking a locked session, and changing a password. It only collects input; the session
/// manager checks it (off the GUI thread) and the window shows the answer with showError().
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { FirstAdmin, Login, Unlock, ChangePassword };
    LoginDialog(Mode mode, const QString& userName, QWidget* parent = nullptr);
    ~LoginDialog() override;

    Mode mode() const { return m_mode; }
    QString userName() const;
    QString password() const;
    QString newPassword() const;

    void showError(const QString& message);
    void setBusy(bool busy);

    /// For tests and keyboard users: the fields.
    QLineEdit* nameField() const { return m_name; }
    QLineEdit* passwordField() const { return m_password; }
    QLineEdit* newPasswordField() const { return m_newPassword; }
    QLineEdit* repeatField() const { return m_repeat; }

Q_SIGNALS:
    void submitted();

private:
    void trySubmit();

    Mode m_mode;
    QLabel* m_intro;
    QLineEdit* m_name;
    QLineEdit* m_password;
    QLineEdit* m_newPassword;
    QLineEdit* m_repeat;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};

} // namespace twinspect::ui
