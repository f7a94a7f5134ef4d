// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace twinspect::identity {

struct PasswordPolicyOptions
{
    int minLength = 12;
    int historyDepth = 5; ///< a new password may not be one of the last N of that user
};

/// The password rules that need no stored hashes (length, user name, common passwords). The
/// history rule needs the user's old hashes and is checked by UserStore.
class PasswordPolicy
{
public:
    explicit PasswordPolicy(PasswordPolicyOptions options = {});

    /// What is wrong with a password, one sentence each; empty when it is acceptable.
    QStringList problems(const QString& userName, const QString& password) const;
    const PasswordPolicyOptions& options() const { return m_options; }

    /// True for passwords on the bundled list of the most common ones, also with digits and
    /// symbols appended ("Password123!" is "password").
    static bool isCommon(const QString& password);

private:
    PasswordPolicyOptions m_options;
};

} // namespace twinspect::identity
