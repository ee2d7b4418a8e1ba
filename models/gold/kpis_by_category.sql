-- KPIs per product category, with its current name.
{{ kpi_model(['category_id', 'category_name']) }}
