"""Writes that concern accounts, and the audit trail every service leaves."""

from __future__ import annotations

from typing import Any

from django.db import models

from clientfocus.accounts.models import AuditEntry, Role, Team, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Leave a row saying who did what to which object."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username,
        role=role,
        team=team,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=True,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user_create", obj=user, details={"role": role})
    return user
