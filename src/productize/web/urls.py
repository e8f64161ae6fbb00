"""Web UI routes."""

from __future__ import annotations

from django.urls import path

from productize.web.views import (
    assessment,
    catalog,
    graph,
    home,
    ideas,
    ingest,
    loop_desk,
    loop_product,
    organization,
    products,
)

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("ideas/", ideas.ideas, name="ideas"),
    path("ideas/new/", ideas.idea_new, name="idea-new"),
    path("ideas/<slug:slug>/edit/", ideas.idea_edit, name="idea-edit"),
    path("ideas/<slug:slug>/product.yaml", ideas.idea_descriptor, name="idea-descriptor"),
    path("products/", products.products_index, name="products"),
    path("products/<slug:slug>/", products.product, name="product"),
    path("products/<slug:slug>/impact/", graph.product_impact, name="product-impact"),
    path(
        "products/<slug:slug>/neighbourhood/",
        graph.product_neighbourhood,
        name="product-neighbourhood",
    ),
    path("map/", graph.org_map, name="map"),
    path("assessment/", assessment.organisation, name="assessment"),
    path("assessment/products/", assessment.products, name="assessment-products"),
    path("loops/", organization.loops, name="loops"),
    path("loops/<slug:slug>/", organization.loop, name="loop"),
    path("teams/", organization.teams, name="teams"),
    path("teams/<slug:slug>/", organization.team, name="team"),
    path("people/", organization.people, name="people"),
    path("people/<slug:slug>/", organization.person, name="person"),
    path("sources/", ingest.sources, name="sources"),
    path("sources/new/", ingest.source_new, name="source-new"),
    path("sources/<int:source_id>/", ingest.source, name="source"),
    path("sources/<int:source_id>/edit/", ingest.source_edit, name="source-edit"),
    path("runs/", ingest.runs, name="runs"),
    path("runs/<int:run_id>/", ingest.run, name="run"),
    *loop_product.urlpatterns,  # the product loop tab, roadmap, patterns and improvements
    *loop_desk.urlpatterns,  # feedback forms, triage, suggestions, My loop, the organisation view
]
