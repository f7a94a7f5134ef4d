// SPDX-License-Identifier: Apache-2.0
#include "logindialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace twinspect::ui {

LoginDialog::LoginDialog(Mode mode, const QString& userName, QWidget* parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_intro(new QLabel)
    , m_name(new QLineEdit(userName))
    , m_password(new QLineEdit)
    , m_newPassword(new QLineEdit)
    , m_repeat(new QLineEdit)
    , m_error(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok))
{
    setObjectName(QStringLiteral("loginDialog"));
    setWindowModality(Qt::WindowModal);
    for (QLineEdit* field : {m_password, m_newPassword, m_repeat})
        field->setEchoMode(QLineEdit::Password);
    m_name->setObjectName(QStringLiteral("loginName"));
    m_password->setObjectName(QStringLiteral("loginPassword"));
    m_newPassword->setObjectName(QStringLiteral("loginNewPassword"));
    m_repeat->setObjectName(QStringLiteral("loginRepeat"));
    m_error->setObjectName(QStringLiteral("loginError"));
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_error->setWordWrap(true);
    m_intro->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("User"), m_name);
    switch (mode) {
    case Mode::FirstAdmin:
        setWindowTitle(tr("Twinspect — first start"));
        m_intro->setText(tr("No operator accounts exist yet. Create the first administrator: choose a user "
                            "name and a password of at least 12 characters."));
        form->addRow(tr("Password"), m_newPassword);
        form->addRow(tr("Repeat"), m_repeat);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create administrator"));
        break;
    case Mode::Login:
        setWindowTitle(tr("Twinspect — log in"));
        m_intro->setText(tr("Log in to use the workstation. Everything you do is recorded in the audit log."));
        form->addRow(tr("Password"), m_password);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Log in"));
        break;
    case Mode::Unlock:
        setWindowTitle(tr("Twinspect — locked"));
        m_intro->setText(tr("The session of %1 is locked. %1 or an administrator can unlock it.").arg(userName));
        form->addRow(tr("Password"), m_password);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Unlock"));
        break;
    case Mode::ChangePassword:
        setWindowTitle(tr("Twinspect — change password"));
        m_intro->setText(tr("Choose a new password: at least 12 characters, not your user name, not a common "
                            "password and not one of your last passwords."));
        m_name->setReadOnly(true);
        form->addRow(tr("Current password"), m_password);
        form->addRow(tr("New password"), m_newPassword);
        form->addRow(tr("Repeat"), m_repeat);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Change password"));
        break;
    }
    if (mode == Mode::Unlock)
        m_password->setFocus();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &LoginDialog::trySubmit);
}

LoginDialog::~LoginDialog() = default;

QString LoginDialog::userName() const
{
    return m_name->text().trimmed();
}

QString LoginDialog::password() const
{
    return m_password->text();
}

QString LoginDialog::newPassword() const
{
    return m_newPassword->text();
}

void LoginDialog::trySubmit()
{
    if (userName().isEmpty()) {
        showError(tr("Enter a user name."));
        return;
    }
    if ((m_mode == Mode::FirstAdmin || m_mode == Mode::ChangePassword) && m_newPassword->text() != m_repeat->text()) {
        showError(tr("The two new passwords differ."));
        return;
    }
    m_error->clear();
    setBusy(true);
    Q_EMIT submitted();
}

void LoginDialog::showError(const QString& message)
{
    setBusy(false);
    m_error->setText(message);
    m_password->clear();
    m_password->setFocus();
}

void LoginDialog::setBusy(bool busy)
{
    m_buttons->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

} // namespace twinspect::ui
