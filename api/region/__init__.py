"""A region: many departments planned together on a Dask cluster (SPEC §1: every
department's week before Monday's meeting, next month's plan on the last working day).

`folder` reads the region folder, `tasks` holds the pure task functions a worker runs,
`week` and `month` cut a region's work into tasks and drive them on a Dask client,
`cluster` opens that client, `report` writes region.json and the overview workbook."""
