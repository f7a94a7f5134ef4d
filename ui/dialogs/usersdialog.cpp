// SPDX-License-Identifier: Apache-2.0
#include "usersdialog.h"

#include "identity/session.h"
#include "mainwindow.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace twinspect::ui {

using Kind = identity::SessionManager::AdminChange::Kind;

UsersDialog::UsersDialog(identity::SessionManager* session, MainWindow* window)
    : QDialog(window)
    , m_session(session)
    , m_window(window)
    , m_table(new QTableWidget(0, 4))
    , m_name(new QLineEdit)
    , m_role(new QComboBox)
    , m_password(new QLineEdit)
    , m_repeat(new QLineEdit)
    , m_message(new QLabel)
{
    setObjectName(QStringLiteral("usersDialog"));
    setWindowTitle(tr("Operator accounts"));
    m_table->setHorizontalHeaderLabels({tr("Id"), tr("User"), tr("Role"), tr("State")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    for (const identity::Role role : identity::allRoles())
        m_role->addItem(identity::roleName(role), int(role));
    for (QLineEdit* field : {m_password, m_repeat})
        field->setEchoMode(QLineEdit::Password);
    m_message->setWordWrap(true);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_table->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        m_name->setText(m_table->item(rows.first().row(), 1)->text());
        m_role->setCurrentText(m_table->item(rows.first().row(), 2)->text());
    });

    auto* form = new QFormLayout;
    form->addRow(tr("User"), m_name);
    form->addRow(tr("Role"), m_role);
    form->addRow(tr("Initial password"), m_password);
    form->addRow(tr("Repeat"), m_repeat);
    auto* buttons = new QHBoxLayout;
    const std::pair<QString, Kind> actions[] = {{tr("Create"), Kind::Create},         {tr("Set role"), Kind::SetRole},
                                                {tr("Disable"), Kind::Disable},       {tr("Enable"), Kind::Enable},
                                                {tr("Unlock"), Kind::Unlock},         {tr("Reset password"), Kind::ResetPassword}};
    for (const auto& [text, kind] : actions) {
        auto* button = new QPushButton(text);
        button->setObjectName(QStringLiteral("usersButton%1").arg(int(kind)));
        button->setAutoDefault(false);
        connect(button, &QPushButton::clicked, this, [this, kind = kind] { apply(int(kind)); });
        buttons->addWidget(button);
    }
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(close);
    resize(640, 480);
    refresh();
}

UsersDialog::~UsersDialog() = default;

void UsersDialog::refresh()
{
    QPointer<UsersDialog> self(this);
    m_session->listUsers([self](const QList<identity::User>& users) {
        UsersDialog* dialog = self.data();
        if (!dialog)
            return;
        dialog->m_table->setRowCount(static_cast<int>(users.size()));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int row = 0; row < users.size(); ++row) {
            const identity::User& u = users.at(row);
            QStringList state;
            if (u.disabled)
                state << tr("disabled");
            if (u.lockedUntilMs > now)
                state << tr("locked");
            if (u.mustChangePassword)
                state << tr("must change password");
            const QStringList cells{QString::number(u.id), u.name, identity::roleName(u.role), state.join(QStringLiteral(", "))};
            for (int column = 0; column < cells.size(); ++column)
                dialog->m_table->setItem(row, column, new QTableWidgetItem(cells.at(column)));
        }
    });
}

int UsersDialog::userCount() const
{
    return m_table->rowCount();
}

QString UsersDialog::message() const
{
    return m_message->text();
}

void UsersDialog::apply(int kindValue)
{
    const auto kind = static_cast<Kind>(kindValue);
    identity::SessionManager::AdminChange change;
    change.kind = kind;
    change.userName = m_name->text().trimmed();
    change.role = static_cast<identity::Role>(m_role->currentData().toInt());
    if (change.userName.isEmpty()) {
        m_message->setText(tr("Enter or select a user."));
        return;
    }
    if (kind == Kind::Create || kind == Kind::ResetPassword) {
        if (m_password->text() != m_repeat->text()) {
            m_message->setText(tr("The two passwords differ."));
            return;
        }
        change.password = m_password->text();
    }
    static const QHash<int, QString> descriptions{
        {int(Kind::Create), tr("Create the account %1 with role %2")},
        {int(Kind::SetRole), tr("Give %1 the role %2")},
        {int(Kind::Disable), tr("Disable the account %1")},
        {int(Kind::Enable), tr("Enable the account %1")},
        {int(Kind::Unlock), tr("Unlock the account %1")},
        {int(Kind::ResetPassword), tr("Set a new initial password for %1")}};
    QString what = descriptions.value(kindValue).arg(change.userName);
    if (what.contains(QLatin1String("%2")))
        what = what.arg(identity::roleName(change.role));
    QPointer<UsersDialog> self(this);
    m_window->signThen(int(identity::Permission::ManageUsers), what, change.userName, [self, change] {
        if (UsersDialog* dialog = self.data()) {
            dialog->m_session->administer(change, [self](bool ok, const QString& message) {
                UsersDialog* d = self.data();
                if (!d)
                    return;
                d->m_message->setText(ok ? tr("Done, signed into the audit log.") : message);
                d->m_password->clear();
                d->m_repeat->clear();
                d->refresh();
                Q_EMIT d->changed(ok, message);
            });
        }
    });
}

} // namespace twinspect::ui
