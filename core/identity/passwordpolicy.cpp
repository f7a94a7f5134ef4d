// SPDX-License-Identifier: Apache-2.0
#include "passwordpolicy.h"

#include <QSet>

namespace twinspect::identity {

namespace {

// The most common passwords and their obvious industrial-site variants. Short on purpose: the
// length rule already rules out most of any longer list.
const QSet<QString>& commonPasswords()
{
    static const QSet<QString> words{
        QStringLiteral("password"),     QStringLiteral("passw0rd"),      QStringLiteral("password1"),
        QStringLiteral("123456"),       QStringLiteral("12345678"),      QStringLiteral("123456789"),
        QStringLiteral("1234567890"),   QStringLiteral("123123"),        QStringLiteral("111111"),
        QStringLiteral("000000"),       QStringLiteral("qwerty"),        QStringLiteral("qwertyuiop"),
        QStringLiteral("asdfghjkl"),    QStringLiteral("azerty"),        QStringLiteral("letmein"),
        QStringLiteral("welcome"),      QStringLiteral("welcome1"),      QStringLiteral("admin"),
        QStringLiteral("administrator"), QStringLiteral("root"),         QStringLiteral("changeme"),
        QStringLiteral("default"),      QStringLiteral("iloveyou"),      QStringLiteral("monkey"),
        QStringLiteral("dragon"),       QStringLiteral("football"),      QStringLiteral("baseball"),
        QStringLiteral("sunshine"),     QStringLiteral("princess"),      QStringLiteral("master"),
        QStringLiteral("shadow"),       QStringLiteral("superman"),      QStringLiteral("trustno1"),
        QStringLiteral("abc123"),       QStringLiteral("secret"),        QStringLiteral("summer"),
        QStringLiteral("winter"),       QStringLiteral("spring"),        QStringLiteral("autumn"),
        QStringLiteral("operator"),     QStringLiteral("engineer"),      QStringLiteral("auditor"),
        QStringLiteral("trainer"),      QStringLiteral("supervisor"),    QStringLiteral("maintenance"),
        QStringLiteral("scada"),        QStringLiteral("plant"),         QStringLiteral("factory"),
        QStringLiteral("control"),      QStringLiteral("siemens"),       QStringLiteral("twinspect"),
        QStringLiteral("correcthorsebatterystaple"), QStringLiteral("passwordpassword"),
        QStringLiteral("qwerty123456"), QStringLiteral("1q2w3e4r5t6y"),  QStringLiteral("zaq12wsxcde3"),
        QStringLiteral("aaaaaaaaaaaa"), QStringLiteral("abcdefghijkl"),  QStringLiteral("abcd1234abcd"),
    };
    return words;
}

} // namespace

PasswordPolicy::PasswordPolicy(PasswordPolicyOptions options)
    : m_options(options)
{
}

bool PasswordPolicy::isCommon(const QString& password)
{
    QString base = password.toLower();
    if (commonPasswords().contains(base))
        return true;
    // Strip what people append to satisfy rules: digits, punctuation, years.
    while (!base.isEmpty() && !base.back().isLetter())
        base.chop(1);
    return !base.isEmpty() && commonPasswords().contains(base);
}

QStringList PasswordPolicy::problems(const QString& userName, const QString& password) const
{
    QStringList problems;
    if (password.size() < m_options.minLength)
        problems << QStringLiteral("use at least %1 characters").arg(m_options.minLength);
    const QString name = userName.trimmed();
    if (!name.isEmpty() && password.contains(name, Qt::CaseInsensitive))
        problems << QStringLiteral("do not use the user name in the password");
    if (isCommon(password))
        problems << QStringLiteral("this is one of the most common passwords");
    return problems;
}

} // namespace twinspect::identity
