"""The organisation around the products: its mission, loops, teams and people."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import (
    LoopDetailOut,
    LoopList,
    OrganizationOut,
    PersonDetailOut,
    PersonPage,
    TeamDetailOut,
    TeamPage,
    loop_detail_out,
    loop_out,
    page_meta,
    person_detail_out,
    person_out,
    team_detail_out,
    team_out,
)
from productize.catalog import selectors

router = Router(tags=["organisation"])


@router.get(
    "/organization",
    response={200: OrganizationOut, **ERRORS_404},
    url_name="organization",
    summary="Get the organisation",
)
@strict_query()
def get_organization(request: HttpRequest) -> dict[str, Any]:
    """The organisation and the one mission every product serves."""
    org = selectors.organization()
    if org is None:
        raise ApiError(404, "not_found", "no organisation yet: ingest its descriptor first")
    return {"id": org.slug, "name": org.name, "mission": org.mission}


@router.get("/loops", response={200: LoopList, **ERRORS}, url_name="loops", summary="List loops")
@strict_query(Paging)
def list_loops(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """A page of loops with their product counts, parents before their children."""
    nodes = selectors.loop_tree()
    wanted = paging.page_request()
    shown = nodes[wanted.offset : wanted.offset + wanted.size]
    page = selectors.Page(items=shown, total=len(nodes), page=wanted.page, page_size=wanted.size)
    return {"items": [loop_out(node) for node in shown], **page_meta(page)}


@router.get(
    "/loops/{loop_id}",
    response={200: LoopDetailOut, **ERRORS_404},
    url_name="loop",
    summary="Get a loop",
)
@strict_query()
def get_loop(request: HttpRequest, loop_id: str) -> dict[str, Any]:
    """One loop: mission, customers, owners, sub-loops and its products by stage."""
    detail = selectors.loop_detail(loop_id, selectors.PageRequest(1, 1))
    if detail is None:
        raise not_found("loop", loop_id)
    return loop_detail_out(detail)


@router.get("/teams", response={200: TeamPage, **ERRORS}, url_name="teams", summary="List teams")
@strict_query(Paging)
def list_teams(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """A page of teams by name, with member and product counts."""
    page = selectors.team_page(paging.page_request())
    return {"items": [team_out(t) for t in page.items], **page_meta(page)}


@router.get(
    "/teams/{team_id}",
    response={200: TeamDetailOut, **ERRORS_404},
    url_name="team",
    summary="Get a team",
)
@strict_query()
def get_team(request: HttpRequest, team_id: str) -> dict[str, Any]:
    """One team: members, sub-teams, the loops and (the first) products it owns."""
    detail = selectors.team_detail(team_id, selectors.PageRequest(1, 50))
    if detail is None:
        raise not_found("team", team_id)
    return team_detail_out(detail)


class PeopleParams(Schema):
    """Narrowing the people list."""

    q: str = Field("", max_length=100, description="Only people whose name or id contains this.")


@router.get(
    "/people", response={200: PersonPage, **ERRORS}, url_name="people", summary="List people"
)
@strict_query(PeopleParams, Paging)
def list_people(
    request: HttpRequest, filters: Query[PeopleParams], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of people by name, with how many teams they are in and products they own."""
    page = selectors.person_page(paging.page_request(), q=filters.q.strip())
    return {"items": [person_out(p) for p in page.items], **page_meta(page)}


@router.get(
    "/people/{person_id}",
    response={200: PersonDetailOut, **ERRORS_404},
    url_name="person",
    summary="Get a person",
)
@strict_query()
def get_person(request: HttpRequest, person_id: str) -> dict[str, Any]:
    """One person: their teams, and what they own directly and through each team."""
    detail = selectors.person_detail(person_id, selectors.PageRequest(1, 50))
    if detail is None:
        raise not_found("person", person_id)
    return person_detail_out(detail)
