"""/api/schema/: drf-spectacular's view with a compact JSON rendering (apart from tracker.api.schema, which
drf-spectacular imports while its views module is still loading)."""

from __future__ import annotations

from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer


class CompactOpenApiJsonRenderer(OpenApiJsonRenderer):
    """The schema as JSON without drf-spectacular's four-space indent, which was 60% of its 503 KB; a client
    that wants it indented asks with `Accept: application/json; indent=2`."""

    def get_indent(self, accepted_media_type: str, renderer_context: dict) -> int | None:
        return JSONRenderer.get_indent(self, accepted_media_type, renderer_context)


class CompactOpenApiJsonRenderer2(CompactOpenApiJsonRenderer):
    media_type = "application/json"


class SchemaView(SpectacularAPIView):
    renderer_classes = [OpenApiYamlRenderer, OpenApiYamlRenderer2, CompactOpenApiJsonRenderer,
                        CompactOpenApiJsonRenderer2]
