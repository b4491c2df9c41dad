"""Bodies shared by the production settings routes of projects and of project templates."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    """A body read loosely: unknown keys are ignored, as Zou's parsers do."""

    model_config = ConfigDict(extra="ignore")


class TaskTypeBody(Schema):
    task_type_id: str = Field(..., min_length=1, description="Task type UUID")
    priority: int | None = None
    hd_bitrate_compression: int | None = Field(None, ge=1)
    ld_bitrate_compression: int | None = Field(None, ge=1)
    is_client_visible: bool | None = None

    def bitrates(self) -> dict[str, int | None] | None:
        """The bitrates to write on the link; None when the body names neither (a priority-only call)."""
        keys = ("hd_bitrate_compression", "ld_bitrate_compression")
        if not self.model_fields_set.intersection(keys):
            return None
        return {key: getattr(self, key) for key in keys}


class AssetTypeBody(Schema):
    asset_type_id: str = Field(..., min_length=1, description="Asset type UUID")


class StatusAutomationBody(Schema):
    status_automation_id: str = Field(..., min_length=1, description="Status automation UUID")
