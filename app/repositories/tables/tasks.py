"""Tasks, comments, notifications, time tracking, filters and chats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.tables.base import Base, LinkBase


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("name", "project_id", "task_type_id", "entity_id"),)

    name: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int | None] = mapped_column(Integer, default=0)
    difficulty: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    duration: Mapped[float | None] = mapped_column(Float, default=0)
    estimation: Mapped[float | None] = mapped_column(Float, default=0)
    completion_rate: Mapped[int | None] = mapped_column(Integer, default=0)
    retake_count: Mapped[int | None] = mapped_column(Integer, default=0)
    sort_order: Mapped[int | None] = mapped_column(Integer, default=0)
    start_date: Mapped[datetime | None] = mapped_column(DateTime)
    due_date: Mapped[datetime | None] = mapped_column(DateTime)
    real_start_date: Mapped[datetime | None] = mapped_column(DateTime)
    end_date: Mapped[datetime | None] = mapped_column(DateTime)
    done_date: Mapped[datetime | None] = mapped_column(DateTime)
    last_comment_date: Mapped[datetime | None] = mapped_column(DateTime)
    nb_assets_ready: Mapped[int | None] = mapped_column(Integer, default=0)
    data: Mapped[Any | None] = mapped_column(JSONB)
    nb_drawings: Mapped[int | None] = mapped_column(Integer, default=0)
    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    last_preview_file_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False))
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)
    task_status_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True)
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    assigner_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class TaskPersonLink(LinkBase):
    __tablename__ = "task_person_link"

    task_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), primary_key=True, index=True)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)


class Comment(Base):
    __tablename__ = "comment"

    shotgun_id: Mapped[int | None] = mapped_column(Integer)
    object_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[Any | None] = mapped_column(JSONB)
    replies: Mapped[Any | None] = mapped_column(JSONB, default=[])
    checklist: Mapped[Any | None] = mapped_column(JSONB, default=[])
    pinned: Mapped[bool | None] = mapped_column(Boolean)
    for_client: Mapped[bool | None] = mapped_column(Boolean, default=False)
    links: Mapped[list[str] | None] = mapped_column(ARRAY(String))
    task_status_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_status.id"), index=True)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    editor_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    preview_file_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("preview_file.id"), index=True)


class CommentPreviewLink(LinkBase):
    __tablename__ = "comment_preview_link"

    comment: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), primary_key=True, index=True)
    preview_file: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("preview_file.id"), primary_key=True, index=True
    )


class CommentMentions(LinkBase):
    __tablename__ = "comment_mentions"

    comment: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), primary_key=True, index=True)
    person: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)


class CommentDepartmentMentions(LinkBase):
    __tablename__ = "comment_department_mentions"

    comment: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), primary_key=True, index=True)
    department: Mapped[str] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("department.id"), primary_key=True, index=True
    )


class CommentAcknoledgments(LinkBase):
    __tablename__ = "comment_acknoledgments"

    comment: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), primary_key=True, index=True)
    person: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("person_id", "author_id", "comment_id", "reply_id", "playlist_id", "type"),)

    read: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    change: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    type: Mapped[str] = mapped_column(String(255), nullable=False)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    author_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    comment_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), index=True)
    playlist_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("playlist.id"), index=True)
    reply_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), index=True)


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (
        UniqueConstraint("person_id", "task_type_id", "entity_id"),
        UniqueConstraint("person_id", "task_id"),
    )

    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    task_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), index=True)
    entity_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("entity.id"), index=True)
    task_type_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task_type.id"), index=True)


class News(Base):
    __tablename__ = "news"

    change: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    author_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    comment_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("comment.id"), index=True)
    task_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), nullable=False, index=True)
    preview_file_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("preview_file.id"), index=True)


class TimeSpent(Base):
    __tablename__ = "time_spent"
    __table_args__ = (UniqueConstraint("person_id", "task_id", "date"),)

    duration: Mapped[float] = mapped_column(Float, nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    task_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("task.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class DayOff(Base):
    __tablename__ = "day_off"
    __table_args__ = (UniqueConstraint("person_id", "date"),)

    date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)


class SearchFilter(Base):
    __tablename__ = "search_filter"

    list_type: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    entity_type: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    search_query: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    is_shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    department_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("department.id"), index=True)
    search_filter_group_id: Mapped[str | None] = mapped_column(
        Uuid(as_uuid=False), ForeignKey("search_filter_group.id"), index=True
    )
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)


class SearchFilterGroup(Base):
    __tablename__ = "search_filter_group"

    list_type: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    entity_type: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    color: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    is_shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    person_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("project.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(Uuid(as_uuid=False), ForeignKey("department.id"), index=True)


class Chat(Base):
    __tablename__ = "chat"

    object_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(80), nullable=False, default="entity", index=True)
    last_message: Mapped[datetime | None] = mapped_column(DateTime)


class ChatMessage(Base):
    __tablename__ = "chat_message"

    chat_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("chat.id"), nullable=False, index=True)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), nullable=False, index=True)
    text: Mapped[str | None] = mapped_column(Text)


class ChatParticipant(LinkBase):
    __tablename__ = "chat_participant"

    chat_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("chat.id"), primary_key=True, index=True)
    person_id: Mapped[str] = mapped_column(Uuid(as_uuid=False), ForeignKey("person.id"), primary_key=True, index=True)
