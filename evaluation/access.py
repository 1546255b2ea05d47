"""Who is looking: the viewer whose role decides which rows every store read returns.

National users see everything, hub users their hub, leads their hub's own Work Groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["national", "hub", "lead"]


@dataclass(frozen=True)
class Viewer:
    """The person viewing data, and what they may see.

    Examples
    --------
    >>> Viewer.national().can_see_hub("Solent Maths Hub")
    True
    >>> Viewer(role="hub", hub="Sussex Maths Hub").can_see_hub("Solent Maths Hub")
    False
    """

    role: Role
    hub: str | None = None
    work_groups: tuple[str, ...] = ()
    name: str = "local user"

    def __post_init__(self) -> None:
        if self.role not in ("national", "hub", "lead"):
            raise ValueError(f"unknown role {self.role!r}")
        if self.role in ("hub", "lead") and not self.hub:
            raise ValueError(f"a {self.role} viewer needs a hub")

    @classmethod
    def national(cls, name: str = "local user") -> Viewer:
        """A viewer who may see all data (the local default)."""
        return cls(role="national", name=name)

    @property
    def sees_open_text(self) -> bool:
        """Whether open-text answers may be shown (hub and lead roles see their own)."""
        return True

    def can_see_hub(self, hub: str) -> bool:
        """Whether rows of ``hub`` are visible to this viewer."""
        return self.role == "national" or hub == self.hub
