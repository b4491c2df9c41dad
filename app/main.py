"""The ASGI application: `app.main:app`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.config import VERSION, Settings, get_settings
from app.core.database import database_url, make_engine, make_sessionmaker
from app.core.errors import install_error_handlers
from app.core.events import EventBus
from app.core.head import HeadAsGet
from app.core.prefix import StripApiPrefix
from app.core.responses import JSONResponse
from app.core.security_headers import SecurityHeaders
from app.core.storage import make_storage
from app.routers import (
    assets,
    attachments,
    auth,
    casting,
    catalog,
    chats,
    comment_threads,
    comments,
    crud,
    day_offs,
    deletion,
    departments,
    entities,
    entity_tasks,
    event_log,
    file_catalogs,
    index,
    metadata_descriptors,
    movies,
    notifications,
    output_files,
    person_actions,
    pictures,
    preview_files,
    preview_uploads,
    project_templates,
    projects,
    shots,
    tasks,
    time_spents,
    user_context,
    working_files,
)

log = logging.getLogger("tsubame")


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own_engine = app.state.engine is None
        if own_engine:
            app.state.engine = make_engine(database_url(settings))
            app.state.sessionmaker = make_sessionmaker(app.state.engine)
        await app.state.bus.start()
        yield
        await app.state.bus.stop()
        if own_engine:
            await app.state.engine.dispose()

    app = FastAPI(
        title="Tsubame",
        version=VERSION,
        description="A fast, async, drop-in implementation of the Zou production-tracking API.",
        default_response_class=JSONResponse,
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine) if engine is not None else None
    app.state.bus = EventBus(settings.redis_url)
    app.state.storage = make_storage(settings)
    install_error_handlers(app)
    # Specific routes first: `/data/x/{id}` must not shadow `/data/x/something`. Routes are
    # added flat (not through include_router) so that `app.routes` lists every one of them.
    area_routers = (
        index.router,
        auth.router,
        departments.router,
        catalog.router,
        projects.router,
        project_templates.router,
        metadata_descriptors.router,
        assets.router,
        shots.router,
        entities.router,
        deletion.router,
        casting.router,
        entity_tasks.router,
        time_spents.router,
        day_offs.router,
        event_log.router,
        chats.router,
        tasks.router,
        comments.router,
        comment_threads.router,
        notifications.router,
        user_context.router,
        person_actions.router,
        preview_uploads.router,
        movies.router,
        preview_files.router,
        attachments.router,
        working_files.router,
        output_files.router,
        file_catalogs.router,
        pictures.router,
    )
    for router in (*area_routers, crud.build_router()):
        app.router.routes.extend(router.routes)
    app.add_middleware(StripApiPrefix)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
