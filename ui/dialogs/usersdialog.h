// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace twinspect::identity {
class SessionManager;
}

namespace twinspect::ui {

class MainWindow;

/// Account administration for admins: create, change role, disable or enable, unlock, reset a
/// password. Users are never deleted. Every change asks for an electronic signature first and is
/// recorded in the audit log as the admin who made it.
class UsersDialog : public QDialog
{
    Q_OBJECT
public:
    UsersDialog(identity::SessionManager* session, MainWindow* window);
    ~UsersDialog() override;

    void refresh();
    int userCount() const;
    QLineEdit* nameField() const { return m_name; }
    QComboBox* roleField() const { return m_role; }
    QLineEdit* passwordField() const { return m_password; }
    QLineEdit* repeatField() const { return m_repeat; }
    QString message() const;

Q_SIGNALS:
    void changed(bool ok, const QString& message);

private:
    void apply(int kind);

    identity::SessionManager* m_session;
    MainWindow* m_window;
    QTableWidget* m_table;
    QLineEdit* m_name;
    QComboBox* m_role;
    QLineEdit* m_password;
    QLineEdit* m_repeat;
    QLabel* m_message;
};

} // namespace twinspect::ui
