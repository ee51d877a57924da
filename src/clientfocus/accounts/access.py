"""The one place that decides which companies — and so which contacts, sales, activities and
deals — a user may see and change.

Rules (PRODUCT.md, "Who uses it"):
- a seller sees and changes the companies they own;
- a manager sees and changes the companies owned by anyone in their team (their own included);
- an admin (role admin or a superuser) sees and changes everything;
- anybody else (anonymous, inactive, no role) sees nothing.

Every selector builds on `ScopedQuerySet.visible_to(user)`, so "not yours" and "does not exist"
are the same empty result, and views answer both with the same 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from clientfocus.accounts.models import Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_NOTHING = Q(pk__in=[])


def is_admin(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)
    )


def company_scope(user: User | AnonymousUser | None, *, path: str = "") -> Q:
    """A filter on companies (reached through `path`, e.g. "company__") that `user` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOTHING
    if is_admin(user):
        return Q()
    assert isinstance(user, User)
    if user.role == Role.MANAGER:
        own = Q(**{f"{path}owner_id": user.pk})
        if user.team_id is None:
            return own
        return own | Q(**{f"{path}owner__team_id": user.team_id})
    if user.role == Role.SELLER:
        return Q(**{f"{path}owner_id": user.pk})
    return _NOTHING


def team_companies(team_id: int | None, *, path: str = "") -> Q:
    """Companies worked by a team (owned by one of its members), for records that belong to a
    team such as its ideal customer profile. Not a visibility rule: combine it with
    `company_scope` (or `visible_to`), never use it instead."""
    if team_id is None:
        return _NOTHING
    return Q(**{f"{path}owner__team_id": team_id})


def users_visible_to(user: User | AnonymousUser | None) -> models.QuerySet[User]:
    """The people whose work `user` may see: themself, their team (manager), everyone (admin)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if is_admin(user):
        return User.objects.all()
    assert isinstance(user, User)
    if user.role == Role.MANAGER and user.team_id is not None:
        return User.objects.filter(Q(pk=user.pk) | Q(team_id=user.team_id))
    return User.objects.filter(pk=user.pk)


def _member(user: User | AnonymousUser | None) -> User | None:
    """A seller or manager who belongs to a team, or None."""
    if user is None or not user.is_authenticated or not user.is_active or is_admin(user):
        return None
    if getattr(user, "role", None) in (Role.SELLER, Role.MANAGER) and getattr(user, "team_id", None):
        return user  # type: ignore[return-value]
    return None


def team_scope(user: User | AnonymousUser | None, *, field: str = "team_id") -> Q:
    """Records that belong to a team (its market plan): the team's members read them, an admin
    reads every team's; anybody else nothing. `field` holds the team's id ("pk" on Team)."""
    if is_admin(user):
        return Q()
    member = _member(user)
    if member is None:
        return _NOTHING
    return Q(**{field: member.team_id})


def may_edit_team_records(user: User | AnonymousUser | None, team_id: int | None) -> bool:
    """Who changes a team's records (market plan, team goals): its manager, or an admin."""
    if is_admin(user):
        return True
    member = _member(user)
    return member is not None and member.role == Role.MANAGER and member.team_id == team_id


def goal_scope(user: User | AnonymousUser | None) -> Q:
    """Goals (planning.Goal: a seller's, or a team's when `seller` is empty) that `user` reads.

    A seller: their own goals and their team's team goals. A manager: the goals of everyone in
    their team and the team's goals. An admin: all. Anybody else: none.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOTHING
    if is_admin(user):
        return Q()
    assert isinstance(user, User)
    if user.role == Role.SELLER:
        own = Q(seller_id=user.pk)
        return own if user.team_id is None else own | Q(seller__isnull=True, team_id=user.team_id)
    if user.role == Role.MANAGER:
        own = Q(seller_id=user.pk)
        if user.team_id is None:
            return own
        return own | Q(seller__team_id=user.team_id) | Q(seller__isnull=True, team_id=user.team_id)
    return _NOTHING


def may_set_goal(user: User | AnonymousUser | None, *, seller: User | None, team_id: int | None) -> bool:
    """Who sets a goal (seed 003): a seller their own; a manager for their team's people and the
    team; an admin anyone's. `seller` None means a goal of the team `team_id`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user):
        return True
    assert isinstance(user, User)
    if seller is not None:
        if seller.pk == user.pk:
            return user.role in (Role.SELLER, Role.MANAGER)
        return user.role == Role.MANAGER and user.team_id is not None and seller.team_id == user.team_id
    return may_edit_team_records(user, team_id)


def peers_visible_to(user: User | AnonymousUser | None) -> models.QuerySet[User]:
    """The people whose *summed* figures `user` may compare with their own in best-practice
    groups (seed 004: sellers meet in small groups to learn from the best). A seller compares
    within their team — totals per person only, never another seller's companies; a manager
    their team; an admin everyone."""
    if is_admin(user):
        return User.objects.all()
    member = _member(user)
    if member is None:
        return users_visible_to(user)
    return User.objects.filter(team_id=member.team_id)


def assignable_owners(user: User | AnonymousUser | None) -> models.QuerySet[User]:
    """Who `user` may make the owner of a company: sellers and managers they can see."""
    return users_visible_to(user).filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER])


class ScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A queryset that knows the path from its model to Company (`company_path`)."""

    company_path: str = ""

    def visible_to(self, user: Any) -> Self:
        return self.filter(company_scope(user, path=self.company_path))


def scoped_queryset(path: str) -> type[ScopedQuerySet]:
    """A ScopedQuerySet class for a model that reaches Company through `path`."""
    return type(f"ScopedQuerySet_{path.strip('_') or 'company'}", (ScopedQuerySet,), {"company_path": path})
