-- KPIs per product, with its current name, brand and category (DESIGN.md section 4).
{{ kpi_model(['product_id', 'product_name', 'brand_name', 'category_name']) }}
