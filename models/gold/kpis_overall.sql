-- The KPIs over every order: exactly one row.
{{ kpi_model([]) }}
