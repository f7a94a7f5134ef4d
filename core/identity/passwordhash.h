// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

namespace twinspect::identity {

/// scrypt parameters, stored with each hash so they can be raised later without breaking
/// existing passwords.
struct ScryptParameters
{
    int logN = 17; ///< N = 2^17: OWASP's minimum with r=8, p=1 (about 0.8 s and 128 MiB here)
    int r = 8;
    int p = 1;
};

/// Password hashing with OpenSSL's scrypt. The stored form is one line:
/// `$scrypt$ln=17,r=8,p=1$<salt base64>$<hash base64>`. Slow by design: call off the GUI thread.
class PasswordHash
{
public:
    static Result<QString> hash(const QString& password, const ScryptParameters& parameters = {});
    /// Constant-time comparison; false for a malformed stored value (never an exception).
    static bool verify(const QString& password, const QString& stored);
    static std::optional<ScryptParameters> parametersOf(const QString& stored);
};

} // namespace twinspect::identity
