// SPDX-License-Identifier: Apache-2.0
#include "esignaturedialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace twinspect::ui {

ESignatureDialog::ESignatureDialog(const QString& printedName, const QString& what, bool askUserId, QWidget* parent)
    : QDialog(parent)
    , m_meaning(new QComboBox)
    , m_password(new QLineEdit)
    , m_userId(new QLineEdit)
    , m_error(new QLabel)
{
    setObjectName(QStringLiteral("esignatureDialog"));
    setWindowTitle(tr("Electronic signature"));
    setWindowModality(Qt::WindowModal);
    m_meaning->setEditable(true); // the listed meanings, or the signer's own words
    m_meaning->addItems({tr("approval"), tr("review"), tr("responsibility"), tr("acknowledgement")});
    m_meaning->setObjectName(QStringLiteral("esignatureMeaning"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("esignaturePassword"));
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_error->setWordWrap(true);

    auto* what_ = new QLabel(what);
    what_->setWordWrap(true);
    QFont bold = what_->font();
    bold.setBold(true);
    what_->setFont(bold);
    auto* form = new QFormLayout;
    form->addRow(tr("Signing"), what_);
    form->addRow(tr("Printed name"), new QLabel(printedName));
    form->addRow(tr("Time (UTC)"), new QLabel(QDateTime::currentDateTimeUtc().toString(Qt::ISODate)));
    form->addRow(tr("Meaning"), m_meaning);
    m_userId->setObjectName(QStringLiteral("esignatureUserId"));
    if (askUserId)
        form->addRow(tr("User id"), m_userId);
    else
        m_userId->hide();
    form->addRow(tr("Password"), m_password);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Sign"));
    m_ok = buttons->button(QDialogButtonBox::Ok);
    auto* note = new QLabel(tr("Your signature is recorded in the audit log with what you signed. It is legally "
                               "binding in the same way as a handwritten one."));
    note->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_meaning->currentText().trimmed().isEmpty()) {
            showError(tr("Give the meaning of your signature."));
            return;
        }
        setBusy(true);
        Q_EMIT submitted();
    });
    (askUserId ? m_userId : m_password)->setFocus();
}

ESignatureDialog::~ESignatureDialog() = default;

QString ESignatureDialog::password() const
{
    return m_password->text();
}

QString ESignatureDialog::userId() const
{
    return m_userId->text().trimmed();
}

QString ESignatureDialog::meaning() const
{
    return m_meaning->currentText().trimmed();
}

void ESignatureDialog::showError(const QString& message)
{
    setBusy(false);
    m_error->setText(message);
    m_password->clear();
    m_password->setFocus();
}

void ESignatureDialog::setBusy(bool busy)
{
    m_ok->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

} // namespace twinspect::ui
