// SPDX-License-Identifier: Apache-2.0
#include "shelvedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace twinspect::ui {

namespace {
constexpr qint64 kMinuteMs = 60'000;
}

ShelveDialog::ShelveDialog(const QString& what, QWidget* parent)
    : QDialog(parent)
    , m_duration(new QComboBox)
    , m_reason(new QLineEdit)
{
    setObjectName(QStringLiteral("shelveDialog"));
    setWindowTitle(tr("Shelve alarms"));
    setWindowModality(Qt::WindowModal);
    // Shelving is temporary by design (ISA-18.2): a bounded choice, the longest one shift and a bit.
    m_duration->setObjectName(QStringLiteral("shelveDuration"));
    m_duration->addItem(tr("15 minutes"), 15 * kMinuteMs);
    m_duration->addItem(tr("1 hour"), 60 * kMinuteMs);
    m_duration->addItem(tr("4 hours"), 4 * 60 * kMinuteMs);
    m_duration->addItem(tr("8 hours (a shift)"), 8 * 60 * kMinuteMs);
    m_duration->addItem(tr("12 hours"), 12 * 60 * kMinuteMs);
    m_duration->setCurrentIndex(1);
    m_reason->setObjectName(QStringLiteral("shelveReason"));
    m_reason->setPlaceholderText(tr("Required: why, e.g. \"transmitter under maintenance, WO 4711\""));
    m_reason->setMaxLength(500);

    auto* alarms = new QLabel(what);
    alarms->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow(tr("Alarms"), alarms);
    form->addRow(tr("Shelve for"), m_duration);
    form->addRow(tr("Reason"), m_reason);
    auto* note = new QLabel(tr("Shelved alarms are not annunciated until the time is up or someone unshelves them. "
                               "Shelving asks for your electronic signature and is recorded in the audit log."));
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Shelve…"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!reason().isEmpty())
            accept();
    });
    connect(m_reason, &QLineEdit::textChanged, this, &ShelveDialog::updateOk);
    updateOk();
    m_reason->setFocus();
}

ShelveDialog::~ShelveDialog() = default;

qint64 ShelveDialog::durationMs() const
{
    return m_duration->currentData().toLongLong();
}

QString ShelveDialog::reason() const
{
    return m_reason->text().trimmed();
}

void ShelveDialog::updateOk()
{
    m_ok->setEnabled(!reason().isEmpty());
}

} // namespace twinspect::ui
