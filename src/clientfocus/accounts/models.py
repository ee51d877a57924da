"""Users, their role, and the teams they belong to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SELLER = "seller", _("Менеджер по продажам")
    MANAGER = "manager", _("Руководитель отдела")
    ADMIN = "admin", _("Администратор")


class Team(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("команда")
        verbose_name_plural = _("команды")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. The role decides what they see (accounts/access.py)."""

    role = models.CharField(_("роль"), max_length=16, choices=Role.choices, default=Role.SELLER)
    team = models.ForeignKey(
        Team,
        verbose_name=_("команда"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_seller(self) -> bool:
        return self.role == Role.SELLER

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class AuditEntry(models.Model):
    """One row per write made through a service: who did what to which object, and when."""

    at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, verbose_name=_("кто"), null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("действие"), max_length=64)
    object_type = models.CharField(_("объект"), max_length=64)
    object_id = models.CharField(_("номер объекта"), max_length=64, blank=True)
    details = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал изменений")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"
