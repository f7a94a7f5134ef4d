// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace twinspect::identity {

enum class Role { Engineer, Auditor, Trainer, Admin };

/// Everything an operator can ask the workstation to do that a role may or may not allow.
enum class Permission {
    ViewTwin,           ///< see the plant, its values and alarms
    OpenPlant,          ///< load another plant file
    AcknowledgeAlarm,   ///< an operator action on the process (e-signature)
    ViewAuditLog,       ///< read the audit log in the auditor's dock
    VerifyAuditLog,     ///< run verification (e-signature)
    ExportAuditLog,     ///< export the log (e-signature)
    RunReplay,          ///< replay recorded sessions
    RunScenario,        ///< run training scenarios and inject faults
    ManageUsers,        ///< create, disable, unlock users, reset passwords, change roles (e-signature)
    ManageBackends,     ///< telemetry connections (e-signature)
    ManageTrustAnchors, ///< CAs, gateway keys (e-signature)
    RotateKeys,         ///< audit and other keys (e-signature)
    ConfigureAlarms,    ///< change a tag's alarm limits, priorities, delays over the plant file (e-signature)
};

QString roleName(Role role);
std::optional<Role> roleFromName(const QString& name);
QList<Role> allRoles();

QString permissionName(Permission permission);
QList<Permission> allPermissions();

/// The permission table (docs/roles.md): the one place that decides.
bool allows(Role role, Permission permission);

/// Critical actions ask for the password again and a meaning (21 CFR Part 11 §11.200).
bool needsSignature(Permission permission);

} // namespace twinspect::identity
