"""The loop's write path: every change to channels, routing, patterns, improvements,
milestones and the roadmap goes through these functions, which check permission with
`actor.can(...)` and write audit records in the same transaction.

Errors: `PermissionDenied` (django.core.exceptions) when the actor may not; `LoopError`
(with `.field`) for bad input; `StatusMoveError` (a LoopError, with `.allowed`) for a status
move the state machine refuses.
"""

from productize.loop.services.channels import (
    CHANNEL_FIELDS,
    create_channel,
    delete_channel,
    new_secret,
    rotate_channel_secret,
    update_channel,
)
from productize.loop.services.common import LoopError, StatusMoveError
from productize.loop.services.feedback import (
    link_feedback,
    route_feedback,
    suggest_route,
    unlink_feedback,
)
from productize.loop.services.improvements import (
    create_improvement,
    move_improvement,
    set_improvement_people,
    specification_for,
    update_improvement,
)
from productize.loop.services.milestones import (
    add_milestone,
    complete_milestone,
    delete_milestone,
    reorder_milestones,
    update_milestone,
)
from productize.loop.services.patterns import (
    create_pattern,
    move_pattern,
    recompute_weight,
    recompute_weights,
    update_pattern,
)
from productize.loop.services.roadmap import (
    move_on_roadmap,
    override_priority,
    place_on_roadmap,
    remove_from_roadmap,
)

__all__ = [
    "CHANNEL_FIELDS",
    "LoopError",
    "StatusMoveError",
    "add_milestone",
    "complete_milestone",
    "create_channel",
    "create_improvement",
    "create_pattern",
    "delete_channel",
    "delete_milestone",
    "link_feedback",
    "move_improvement",
    "move_on_roadmap",
    "move_pattern",
    "new_secret",
    "override_priority",
    "place_on_roadmap",
    "recompute_weight",
    "recompute_weights",
    "remove_from_roadmap",
    "reorder_milestones",
    "rotate_channel_secret",
    "route_feedback",
    "set_improvement_people",
    "specification_for",
    "suggest_route",
    "unlink_feedback",
    "update_channel",
    "update_improvement",
    "update_milestone",
    "update_pattern",
]
