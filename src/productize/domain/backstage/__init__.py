"""Backstage interoperability: read `catalog-info.yaml` catalogs into descriptors, and back.

The entry points are `read_backstage` (reader) and `export_backstage` (export); see
`docs/backstage.md` for the mapping and the reasons behind it.
"""
