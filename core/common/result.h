// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace twinspect {

/// A failure at a library boundary: a stable code for programs and a sentence for people.
struct Error
{
    QString code;
    QString message;
};

/// Value or error. Errors are values at library boundaries (STYLE.md): no exceptions, no bool + out-parameter.
template <typename T>
class Result
{
public:
    Result(T value) : m_state(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::move(error)) {}       // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return std::get<T>(m_state); }
    T& value() & { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    const Error& error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

} // namespace twinspect
