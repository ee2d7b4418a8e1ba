-- KPIs per brand, with its current name.
{{ kpi_model(['brand_id', 'brand_name']) }}
