// SPDX-License-Identifier: Apache-2.0
#include "roles.h"

namespace twinspect::identity {

QString roleName(Role role)
{
    switch (role) {
    case Role::Engineer:
        return QStringLiteral("engineer");
    case Role::Auditor:
        return QStringLiteral("auditor");
    case Role::Trainer:
        return QStringLiteral("trainer");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

std::optional<Role> roleFromName(const QString& name)
{
    for (const Role role : allRoles()) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

QList<Role> allRoles()
{
    return {Role::Engineer, Role::Auditor, Role::Trainer, Role::Admin};
}

QString permissionName(Permission permission)
{
    switch (permission) {
    case Permission::ViewTwin:
        return QStringLiteral("view twin");
    case Permission::OpenPlant:
        return QStringLiteral("open plant");
    case Permission::AcknowledgeAlarm:
        return QStringLiteral("acknowledge alarm");
    case Permission::ViewAuditLog:
        return QStringLiteral("view audit log");
    case Permission::VerifyAuditLog:
        return QStringLiteral("verify audit log");
    case Permission::ExportAuditLog:
        return QStringLiteral("export audit log");
    case Permission::RunReplay:
        return QStringLiteral("run replay");
    case Permission::RunScenario:
        return QStringLiteral("run scenario");
    case Permission::ManageUsers:
        return QStringLiteral("manage users");
    case Permission::ManageBackends:
        return QStringLiteral("manage backends");
    case Permission::ManageTrustAnchors:
        return QStringLiteral("manage trust anchors");
    case Permission::RotateKeys:
        return QStringLiteral("rotate keys");
    case Permission::ConfigureAlarms:
        return QStringLiteral("configure alarms");
    }
    return {};
}

QList<Permission> allPermissions()
{
    return {Permission::ViewTwin,       Permission::OpenPlant,          Permission::AcknowledgeAlarm,
            Permission::ViewAuditLog,   Permission::VerifyAuditLog,     Permission::ExportAuditLog,
            Permission::RunReplay,      Permission::RunScenario,        Permission::ManageUsers,
            Permission::ManageBackends, Permission::ManageTrustAnchors, Permission::RotateKeys,
            Permission::ConfigureAlarms};
}

bool allows(Role role, Permission permission)
{
    // Separation of duties: auditors read and check but change nothing; admins run the system
    // but do not operate the plant; engineers operate; trainers replay and run scenarios.
    switch (permission) {
    case Permission::ViewTwin:
        return true;
    case Permission::OpenPlant:
        return role == Role::Engineer || role == Role::Trainer || role == Role::Admin;
    case Permission::AcknowledgeAlarm:
        return role == Role::Engineer;
    case Permission::ViewAuditLog:
    case Permission::VerifyAuditLog:
    case Permission::ExportAuditLog:
        return role == Role::Auditor || role == Role::Admin;
    case Permission::RunReplay:
    case Permission::RunScenario:
        return role == Role::Trainer;
    case Permission::ManageUsers:
    case Permission::ManageBackends:
    case Permission::ManageTrustAnchors:
    case Permission::RotateKeys:
    // Alarm limits are part of the plant's configuration, which admins keep; engineers act on
    // the alarms those limits raise (separation of duties: who sets a limit does not answer it).
    case Permission::ConfigureAlarms:
        return role == Role::Admin;
    }
    return false;
}

bool needsSignature(Permission permission)
{
    switch (permission) {
    case Permission::AcknowledgeAlarm:
    case Permission::VerifyAuditLog:
    case Permission::ExportAuditLog:
    case Permission::ManageUsers:
    case Permission::ManageBackends:
    case Permission::ManageTrustAnchors:
    case Permission::RotateKeys:
    case Permission::ConfigureAlarms:
        return true;
    default:
        return false;
    }
}

} // namespace twinspect::identity
