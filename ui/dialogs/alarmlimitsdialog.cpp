// SPDX-License-Identifier: Apache-2.0
#include "alarmlimitsdialog.h"

#include "alarms/alarmjson.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace twinspect::ui {

namespace {

using alarms::AlarmConfig;
using alarms::AlarmKind;
using alarms::AnalogLimit;

constexpr int kMaxDelayMs = 24 * 3600 * 1000; // the plant file's bound: a day
constexpr std::array<AlarmKind, 4> kLimitKinds{AlarmKind::LoLo, AlarmKind::Lo, AlarmKind::Hi, AlarmKind::HiHi};

std::optional<AnalogLimit> AlarmConfig::*limitMember(AlarmKind kind)
{
    switch (kind) {
    case AlarmKind::LoLo:
        return &AlarmConfig::loLo;
    case AlarmKind::Lo:
        return &AlarmConfig::lo;
    case AlarmKind::Hi:
        return &AlarmConfig::hi;
    case AlarmKind::HiHi:
    case AlarmKind::Boolean:
    case AlarmKind::Discrete:
        break;
    }
    return &AlarmConfig::hiHi;
}

QComboBox* priorityCombo()
{
    auto* combo = new QComboBox;
    for (const alarms::Priority p :
         {alarms::Priority::Low, alarms::Priority::Medium, alarms::Priority::High, alarms::Priority::Urgent})
        combo->addItem(alarms::priorityName(p), int(p));
    return combo;
}

void setPriority(QComboBox* combo, alarms::Priority priority)
{
    combo->setCurrentIndex(combo->findData(int(priority)));
}

alarms::Priority priorityOf(const QComboBox* combo)
{
    return static_cast<alarms::Priority>(combo->currentData().toInt());
}

QString numberText(double value)
{
    return QString::number(value, 'g', 15);
}

QString compact(const std::optional<AlarmConfig>& config)
{
    if (!config)
        return AlarmLimitsDialog::tr("no alarms");
    return QString::fromUtf8(QJsonDocument(alarms::alarmConfigToJson(*config)).toJson(QJsonDocument::Compact));
}

} // namespace

AlarmLimitsDialog::AlarmLimitsDialog(const QString& assetName, QList<TagAlarms> tags, QWidget* parent)
    : QDialog(parent)
    , m_tags(std::move(tags))
    , m_tag(new QComboBox)
    , m_form(new QComboBox)
    , m_pages(new QStackedWidget)
    , m_deadband(new QLineEdit)
    , m_state(new QComboBox)
    , m_states(new QLineEdit)
    , m_priority(priorityCombo())
    , m_onDelay(new QSpinBox)
    , m_offDelay(new QSpinBox)
    , m_plantFile(new QLabel)
    , m_problem(new QLabel)
{
    setObjectName(QStringLiteral("alarmLimitsDialog"));
    setWindowTitle(tr("Alarm limits of %1").arg(assetName));
    setWindowModality(Qt::WindowModal);
    m_tag->setObjectName(QStringLiteral("alarmTag"));
    for (const TagAlarms& t : m_tags)
        m_tag->addItem(t.unit.isEmpty() ? t.tag : QStringLiteral("%1 (%2)").arg(t.tag, t.unit));
    m_form->setObjectName(QStringLiteral("alarmForm"));
    m_form->addItem(tr("Analog limits"), int(AlarmConfig::Type::Analog));
    m_form->addItem(tr("Boolean state"), int(AlarmConfig::Type::Boolean));
    m_form->addItem(tr("Discrete states"), int(AlarmConfig::Type::Discrete));

    auto* analog = new QWidget;
    auto* grid = new QGridLayout(analog);
    grid->addWidget(new QLabel(tr("Limit")), 0, 1);
    grid->addWidget(new QLabel(tr("Priority")), 0, 2);
    // Highest on top, as the values lie on a gauge.
    int row = 1;
    for (auto kind = kLimitKinds.rbegin(); kind != kLimitKinds.rend(); ++kind, ++row) {
        LimitRow& r = m_limits.at(static_cast<size_t>(*kind));
        const QString name = alarms::kindName(*kind);
        r.enabled = new QCheckBox(name);
        r.enabled->setObjectName(QStringLiteral("enable") + name);
        r.limit = new QLineEdit;
        r.limit->setObjectName(QStringLiteral("limit") + name);
        r.priority = priorityCombo();
        r.priority->setObjectName(QStringLiteral("priority") + name);
        grid->addWidget(r.enabled, row, 0);
        grid->addWidget(r.limit, row, 1);
        grid->addWidget(r.priority, row, 2);
        connect(r.enabled, &QCheckBox::toggled, this, &AlarmLimitsDialog::update);
        connect(r.limit, &QLineEdit::textChanged, this, &AlarmLimitsDialog::update);
        connect(r.priority, &QComboBox::currentIndexChanged, this, &AlarmLimitsDialog::update);
    }
    m_deadband->setObjectName(QStringLiteral("deadband"));
    grid->addWidget(new QLabel(tr("Deadband")), row, 0);
    grid->addWidget(m_deadband, row, 1);
    connect(m_deadband, &QLineEdit::textChanged, this, &AlarmLimitsDialog::update);

    auto* boolean = new QWidget;
    auto* booleanForm = new QFormLayout(boolean);
    m_state->setObjectName(QStringLiteral("alarmState"));
    m_state->addItem(tr("true (on, high)"), true);
    m_state->addItem(tr("false (off, not running)"), false);
    booleanForm->addRow(tr("Alarm when the value is"), m_state);
    auto* discrete = new QWidget;
    auto* discreteForm = new QFormLayout(discrete);
    m_states->setObjectName(QStringLiteral("alarmStates"));
    m_states->setToolTip(tr("Comma-separated; a number is compared as a number, anything else as text"));
    discreteForm->addRow(tr("Alarm states"), m_states);
    m_pages->addWidget(analog);
    m_pages->addWidget(boolean);
    m_pages->addWidget(discrete);
    connect(m_state, &QComboBox::currentIndexChanged, this, &AlarmLimitsDialog::update);
    connect(m_states, &QLineEdit::textChanged, this, &AlarmLimitsDialog::update);

    m_priority->setObjectName(QStringLiteral("statePriority"));
    for (QSpinBox* delay : {m_onDelay, m_offDelay}) {
        delay->setRange(0, kMaxDelayMs);
        delay->setSuffix(tr(" ms"));
        delay->setSingleStep(500);
        connect(delay, &QSpinBox::valueChanged, this, &AlarmLimitsDialog::update);
    }
    m_onDelay->setObjectName(QStringLiteral("onDelay"));
    m_offDelay->setObjectName(QStringLiteral("offDelay"));
    connect(m_priority, &QComboBox::currentIndexChanged, this, &AlarmLimitsDialog::update);

    auto* form = new QFormLayout;
    form->addRow(tr("Tag"), m_tag);
    form->addRow(tr("Form"), m_form);
    auto* delays = new QFormLayout;
    delays->addRow(tr("Priority (state alarms)"), m_priority);
    delays->addRow(tr("On-delay"), m_onDelay);
    delays->addRow(tr("Off-delay"), m_offDelay);
    m_plantFile->setObjectName(QStringLiteral("plantFileAlarms"));
    m_plantFile->setWordWrap(true);
    m_plantFile->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setObjectName(QStringLiteral("alarmProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Apply…")); // a signature follows
    m_revertButton = buttons->addButton(tr("Revert to plant file…"), QDialogButtonBox::ResetRole);
    m_revertButton->setObjectName(QStringLiteral("revertAlarms"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty()) {
            m_revert = false;
            accept();
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_revertButton, &QPushButton::clicked, this, [this] {
        m_revert = true;
        accept();
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addLayout(delays);
    layout->addWidget(m_plantFile);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(m_form, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_pages->setCurrentIndex(index);
        update();
    });
    connect(m_tag, &QComboBox::currentIndexChanged, this, &AlarmLimitsDialog::showTag);
    int first = 0;
    for (int i = 0; i < m_tags.size(); ++i) {
        if (m_tags[i].current) {
            first = i;
            break;
        }
    }
    m_tag->setCurrentIndex(first);
    showTag(first);
}

AlarmLimitsDialog::~AlarmLimitsDialog() = default;

QCheckBox* AlarmLimitsDialog::limitEnabled(AlarmKind kind) const
{
    return m_limits.at(static_cast<size_t>(kind)).enabled;
}

QLineEdit* AlarmLimitsDialog::limitField(AlarmKind kind) const
{
    return m_limits.at(static_cast<size_t>(kind)).limit;
}

QComboBox* AlarmLimitsDialog::limitPriority(AlarmKind kind) const
{
    return m_limits.at(static_cast<size_t>(kind)).priority;
}

QString AlarmLimitsDialog::tag() const
{
    const int index = m_tag->currentIndex();
    return index >= 0 && index < m_tags.size() ? m_tags[index].tag : QString();
}

void AlarmLimitsDialog::showTag(int index)
{
    if (index < 0 || index >= m_tags.size())
        return;
    const TagAlarms& t = m_tags[index];
    // A tag without alarms starts as an empty analog form: the problem line says what to give.
    const AlarmConfig config = t.current.value_or(AlarmConfig{});
    m_loading = true;
    m_form->setCurrentIndex(m_form->findData(int(config.type)));
    m_pages->setCurrentIndex(m_form->currentIndex());
    for (const AlarmKind kind : kLimitKinds) {
        const LimitRow& r = m_limits.at(static_cast<size_t>(kind));
        const std::optional<AnalogLimit>& limit = config.*limitMember(kind);
        r.enabled->setChecked(limit.has_value());
        r.limit->setText(limit ? numberText(limit->limit) : QString());
        setPriority(r.priority, limit ? limit->priority : alarms::Priority::Medium);
    }
    m_deadband->setText(numberText(config.deadband));
    m_state->setCurrentIndex(config.alarmState ? 0 : 1);
    QStringList states;
    for (const telemetry::Value& state : config.alarmStates)
        states.append(telemetry::valueText(state));
    m_states->setText(states.join(QStringLiteral(", ")));
    setPriority(m_priority, config.priority);
    m_onDelay->setValue(static_cast<int>(config.onDelayMs));
    m_offDelay->setValue(static_cast<int>(config.offDelayMs));
    m_plantFile->setText(tr("Plant file: %1").arg(compact(t.plantFile)) +
                         (t.overridden ? tr("\nNow overridden in the alarm overrides file.") : QString()));
    m_revertButton->setEnabled(t.overridden);
    m_loading = false;
    update();
}

std::optional<AlarmConfig> AlarmLimitsDialog::config() const
{
    const int index = m_tag->currentIndex();
    if (index < 0 || index >= m_tags.size())
        return std::nullopt;
    AlarmConfig config;
    config.tag = m_tags[index].tag;
    config.unit = m_tags[index].unit;
    config.type = static_cast<AlarmConfig::Type>(m_form->currentData().toInt());
    config.onDelayMs = m_onDelay->value();
    config.offDelayMs = m_offDelay->value();
    switch (config.type) {
    case AlarmConfig::Type::Analog: {
        for (const AlarmKind kind : kLimitKinds) {
            const LimitRow& r = m_limits.at(static_cast<size_t>(kind));
            if (!r.enabled->isChecked())
                continue;
            bool ok = false;
            const double limit = r.limit->text().trimmed().toDouble(&ok);
            if (!ok)
                return std::nullopt;
            config.*limitMember(kind) = AnalogLimit{limit, priorityOf(r.priority)};
        }
        bool ok = false;
        config.deadband = m_deadband->text().trimmed().isEmpty() ? 0.0 : m_deadband->text().trimmed().toDouble(&ok);
        if (!m_deadband->text().trimmed().isEmpty() && !ok)
            return std::nullopt;
        break;
    }
    case AlarmConfig::Type::Boolean:
        config.alarmState = m_state->currentData().toBool();
        config.priority = priorityOf(m_priority);
        break;
    case AlarmConfig::Type::Discrete:
        for (const QString& part : m_states->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString state = part.trimmed();
            if (state.isEmpty())
                continue;
            bool isNumber = false;
            const double number = state.toDouble(&isNumber);
            config.alarmStates.append(isNumber ? telemetry::Value(number) : telemetry::Value(state));
        }
        config.priority = priorityOf(m_priority);
        break;
    }
    return config;
}

QString AlarmLimitsDialog::problem() const
{
    const std::optional<AlarmConfig> edited = config();
    if (!edited) {
        if (tag().isEmpty())
            return tr("This asset has no tags.");
        return tr("A limit or the deadband is not a number.");
    }
    return alarms::configProblem(*edited);
}

void AlarmLimitsDialog::update()
{
    // Loading a tag sets many fields at once; the buttons exist only at the end of the constructor.
    if (m_loading || !m_ok)
        return;
    const auto type = static_cast<AlarmConfig::Type>(m_form->currentData().toInt());
    for (const AlarmKind kind : kLimitKinds) {
        const LimitRow& r = m_limits.at(static_cast<size_t>(kind));
        r.limit->setEnabled(r.enabled->isChecked());
        r.priority->setEnabled(r.enabled->isChecked());
    }
    m_priority->setEnabled(type != AlarmConfig::Type::Analog);
    const QString text = problem();
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
    m_ok->setEnabled(text.isEmpty());
}

} // namespace twinspect::ui
